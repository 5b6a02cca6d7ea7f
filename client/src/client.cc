// Client: the public calls, each an OpSpec for client::Operation plus the reading of its reply.
#include "shoal/client.h"

#include <algorithm>
#include <unordered_map>

#include "client/src/client_impl.h"
#include "client/src/command_table.h"
#include "core/slot.h"

namespace shoal {

using client::OpOutcome;
using client::OpSpec;
using client::OpType;

namespace {

using Clock = client_impl::Clock;

std::string Decimal(std::int64_t value) { return std::to_string(value); }

// The end of a kCommand operation: its reply, or the public error.
Result<client::Reply> CommandReply(Client::Impl::Outcome&& o, bool unsafe_write) {
  if (o.closed) return Error{Errc::kClosed, "client closed"};
  if (o.result.outcome != OpOutcome::kOk) return OperationError(o.result, unsafe_write);
  return std::move(o.result.reply);
}

OpSpec CommandSpec(std::vector<std::string> argv, bool write, bool repeatable) {
  OpSpec spec{.type = OpType::kCommand};
  spec.key = argv.size() > 1 ? argv[1] : std::string();
  spec.argv = std::move(argv);
  spec.write = write;
  spec.repeatable = repeatable;
  return spec;
}

Error Unexpected(const client::Reply& reply, const char* command) {
  return Error{Errc::kProtocolError, std::string("unexpected reply to ") + command};
}

// An integer reply 1 / 0 to PEXPIRE / PEXPIREAT: done, or no such key.
Result<void> ExpireResult(Result<client::Reply>&& r, const char* command) {
  if (!r) return std::move(r).error();
  if (r.value().type != client::Reply::Type::kInteger) return Unexpected(r.value(), command);
  if (r.value().integer == 0) return Error{Errc::kNotFound, ""};
  return boost::outcome_v2::success();
}

// Groups key indices by slot (standalone: one group), so each group is one multi-key command.
std::vector<std::vector<std::size_t>> GroupBySlot(std::size_t count, bool split,
                                                  const auto& key_of) {
  std::vector<std::vector<std::size_t>> groups;
  if (!split) {
    groups.emplace_back(count);
    for (std::size_t i = 0; i < count; ++i) groups[0][i] = i;
    return groups;
  }
  std::unordered_map<std::uint16_t, std::size_t> group_of_slot;
  for (std::size_t i = 0; i < count; ++i) {
    const auto [it, added] = group_of_slot.try_emplace(KeySlot(key_of(i)), groups.size());
    if (added) groups.emplace_back();
    groups[it->second].push_back(i);
  }
  return groups;
}

}  // namespace

const char* ErrcName(Errc code) {
  switch (code) {
    case Errc::kNotFound:
      return "not found";
    case Errc::kTimedOut:
      return "timed out";
    case Errc::kUnknownOutcome:
      return "unknown outcome";
    case Errc::kClusterUnavailable:
      return "cluster unavailable";
    case Errc::kServerError:
      return "server error";
    case Errc::kProtocolError:
      return "protocol error";
    case Errc::kInvalidArgument:
      return "invalid argument";
    case Errc::kClosed:
      return "closed";
  }
  return "?";
}

Client::Client(boost::asio::any_io_executor executor, ClientOptions options)
    : impl_(std::make_shared<Impl>(std::move(executor), std::move(options))) {}

Client::~Client() { impl_->Close(); }

void Client::Close() { impl_->Close(); }

ClientStats Client::stats() const { return *impl_->stats; }

const boost::asio::any_io_executor& Client::executor() const { return impl_->executor; }

Task<Result<void>> Client::Set(std::string key, std::string value, std::chrono::milliseconds ttl,
                               CallOptions options) {
  const auto impl = impl_;
  OpSpec spec{.type = OpType::kSet, .key = std::move(key), .value = std::move(value)};
  spec.ttl_ms = std::max<TimeMs>(ttl.count(), 0);
  spec.repeatable = true;
  Impl::Outcome o = co_await impl->Execute(std::move(spec), impl->Deadline(options.deadline));
  if (o.closed) co_return Error{Errc::kClosed, "client closed"};
  if (o.result.outcome != OpOutcome::kOk) co_return OperationError(o.result, false);
  co_return boost::outcome_v2::success();
}

Task<Result<bool>> Client::SetIfAbsent(std::string key, std::string value,
                                       std::chrono::milliseconds ttl, CallOptions options) {
  const auto impl = impl_;
  OpSpec spec{.type = OpType::kSet, .key = std::move(key), .value = std::move(value)};
  spec.ttl_ms = std::max<TimeMs>(ttl.count(), 0);
  spec.condition = client::SetCondition::kNx;
  spec.repeatable = true;
  Impl::Outcome o = co_await impl->Execute(std::move(spec), impl->Deadline(options.deadline));
  if (o.closed) co_return Error{Errc::kClosed, "client closed"};
  if (o.result.outcome != OpOutcome::kOk) co_return OperationError(o.result, false);
  co_return o.result.written;
}

Task<Result<std::string>> Client::Get(std::string key, CallOptions options) {
  const auto impl = impl_;
  co_return co_await impl->Get(std::move(key), impl->Deadline(options.deadline));
}

Task<Result<void>> Client::Delete(std::string key, CallOptions options) {
  const auto impl = impl_;
  OpSpec spec{.type = OpType::kDel, .key = std::move(key)};
  spec.repeatable = true;
  Impl::Outcome o = co_await impl->Execute(std::move(spec), impl->Deadline(options.deadline));
  if (o.closed) co_return Error{Errc::kClosed, "client closed"};
  if (o.result.outcome != OpOutcome::kOk) co_return OperationError(o.result, false);
  co_return boost::outcome_v2::success();
}

Task<Result<void>> Client::Expire(std::string key, std::chrono::milliseconds ttl,
                                  CallOptions options) {
  const auto impl = impl_;
  OpSpec spec = CommandSpec({"PEXPIRE", std::move(key), Decimal(ttl.count())}, true, false);
  co_return ExpireResult(
      CommandReply(co_await impl->Execute(std::move(spec), impl->Deadline(options.deadline)), true),
      "PEXPIRE");
}

Task<Result<void>> Client::ExpireAt(std::string key, std::chrono::system_clock::time_point at,
                                    CallOptions options) {
  const auto impl = impl_;
  const std::int64_t unix_ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(at.time_since_epoch()).count();
  OpSpec spec = CommandSpec({"PEXPIREAT", std::move(key), Decimal(unix_ms)}, true, true);
  co_return ExpireResult(
      CommandReply(co_await impl->Execute(std::move(spec), impl->Deadline(options.deadline)),
                   false),
      "PEXPIREAT");
}

Task<Result<std::optional<std::chrono::milliseconds>>> Client::Ttl(std::string key,
                                                                   CallOptions options) {
  const auto impl = impl_;
  OpSpec spec = CommandSpec({"PTTL", std::move(key)}, false, true);
  Result<client::Reply> r = CommandReply(
      co_await impl->Execute(std::move(spec), impl->Deadline(options.deadline)), false);
  if (!r) co_return std::move(r).error();
  if (r.value().type != client::Reply::Type::kInteger) co_return Unexpected(r.value(), "PTTL");
  const std::int64_t ms = r.value().integer;
  if (ms == -2) co_return Error{Errc::kNotFound, ""};
  if (ms < 0) co_return std::optional<std::chrono::milliseconds>();
  co_return std::optional<std::chrono::milliseconds>(ms);
}

Task<Result<std::vector<std::optional<std::string>>>> Client::MGet(std::vector<std::string> keys,
                                                                   CallOptions options) {
  const auto impl = impl_;
  std::vector<std::optional<std::string>> values(keys.size());
  if (keys.empty()) co_return values;
  if (keys.size() > kKeysPerCallMax) co_return Error{Errc::kInvalidArgument, "too many keys"};
  const auto deadline = impl->Deadline(options.deadline);
  const bool split = co_await impl->SplitBySlot(deadline);
  const auto groups =
      GroupBySlot(keys.size(), split, [&](std::size_t i) -> const std::string& { return keys[i]; });
  std::vector<OpSpec> specs;
  for (const auto& group : groups) {
    std::vector<std::string> argv{"MGET"};
    for (std::size_t i : group) argv.push_back(keys[i]);
    specs.push_back(CommandSpec(std::move(argv), false, true));
  }
  std::vector<Impl::Outcome> outcomes = co_await impl->ExecuteAll(std::move(specs), deadline);
  for (std::size_t g = 0; g < groups.size(); ++g) {
    Result<client::Reply> r = CommandReply(std::move(outcomes[g]), false);
    if (!r) co_return std::move(r).error();
    client::Reply& reply = r.value();
    if (reply.type != client::Reply::Type::kArray || reply.elements.size() != groups[g].size()) {
      co_return Unexpected(reply, "MGET");
    }
    for (std::size_t j = 0; j < groups[g].size(); ++j) {
      client::Reply& element = reply.elements[j];
      if (element.type == client::Reply::Type::kBulk) {
        values[groups[g][j]] = std::move(element.text);
      } else if (element.type != client::Reply::Type::kNil) {
        co_return Unexpected(element, "MGET");
      }
    }
  }
  co_return values;
}

Task<Result<void>> Client::MSet(std::vector<std::pair<std::string, std::string>> pairs,
                                CallOptions options) {
  const auto impl = impl_;
  if (pairs.empty()) co_return boost::outcome_v2::success();
  if (pairs.size() > kKeysPerCallMax) co_return Error{Errc::kInvalidArgument, "too many keys"};
  const auto deadline = impl->Deadline(options.deadline);
  const bool split = co_await impl->SplitBySlot(deadline);
  const auto groups = GroupBySlot(
      pairs.size(), split, [&](std::size_t i) -> const std::string& { return pairs[i].first; });
  std::vector<OpSpec> specs;
  for (const auto& group : groups) {
    std::vector<std::string> argv{"MSET"};
    for (std::size_t i : group) {
      argv.push_back(std::move(pairs[i].first));
      argv.push_back(std::move(pairs[i].second));
    }
    specs.push_back(CommandSpec(std::move(argv), true, true));
  }
  std::vector<Impl::Outcome> outcomes = co_await impl->ExecuteAll(std::move(specs), deadline);
  for (Impl::Outcome& o : outcomes) {
    Result<client::Reply> r = CommandReply(std::move(o), false);
    if (!r) co_return std::move(r).error();
  }
  co_return boost::outcome_v2::success();
}

Task<Result<std::int64_t>> Client::Incr(std::string key, std::int64_t by, CallOptions options) {
  const auto impl = impl_;
  OpSpec spec = CommandSpec({"INCRBY", std::move(key), Decimal(by)}, true, false);
  Result<client::Reply> r =
      CommandReply(co_await impl->Execute(std::move(spec), impl->Deadline(options.deadline)), true);
  if (!r) co_return std::move(r).error();
  if (r.value().type != client::Reply::Type::kInteger) co_return Unexpected(r.value(), "INCRBY");
  co_return r.value().integer;
}

Task<Result<Reply>> Client::Command(std::vector<std::string> argv, CommandOptions options) {
  const auto impl = impl_;
  if (argv.empty() || argv[0].empty()) co_return Error{Errc::kInvalidArgument, "empty command"};
  client_impl::CommandTraits traits = client_impl::LookupCommand(argv);
  switch (options.kind) {
    case CommandKind::kAuto:
      break;
    case CommandKind::kRead:
      traits = {.write = false, .repeatable = true};
      break;
    case CommandKind::kRepeatableWrite:
      traits = {.write = true, .repeatable = true};
      break;
    case CommandKind::kWrite:
      traits = {.write = true, .repeatable = false};
      break;
  }
  OpSpec spec = CommandSpec(std::move(argv), traits.write, traits.repeatable);
  if (options.route_key) spec.key = *options.route_key;
  Result<client::Reply> r =
      CommandReply(co_await impl->Execute(std::move(spec), impl->Deadline(options.deadline)),
                   traits.write && !traits.repeatable);
  if (!r) co_return std::move(r).error();
  co_return PublicReply(std::move(r).value());
}

Task<Result<std::string>> Client::GetOrLoad(std::string key, Loader loader,
                                            std::chrono::milliseconds ttl, CallOptions options) {
  const auto impl = impl_;
  Result<std::string> cached = co_await Get(key, options);
  if (cached || cached.error().code != Errc::kNotFound) co_return cached;
  Result<std::string> loaded = co_await loader();
  if (!loaded) co_return loaded;
  Result<bool> written = co_await SetIfAbsent(key, loaded.value(), ttl, options);
  if (!written || written.value()) co_return loaded;
  // A concurrent writer got there first: its value wins (unless it is already gone again).
  Result<std::string> winner = co_await Get(std::move(key), options);
  co_return winner ? std::move(winner) : std::move(loaded);
}

}  // namespace shoal
