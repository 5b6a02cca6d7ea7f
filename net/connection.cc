// One client connection's coroutine (net/server_impl.h's Connection): write what is queued, read,
// parse, Step each command, route the batch's Effects; the limits net/server.h lists.
#include <string>
#include <string_view>

#include "net/cycle_clock.h"
#include "net/server_impl.h"

namespace shoal::net {

using asio::ip::tcp;

namespace {

// Whether the Step that began with `outputs_before` outputs in `fx` (the last ending at
// `end_before`) gave `client` any reply bytes.
bool RepliedTo(const Effects& fx, ClientId client, std::size_t outputs_before,
               std::size_t end_before) {
  if (outputs_before > 0 && fx.outputs[outputs_before - 1].client == client &&
      fx.outputs[outputs_before - 1].end > end_before) {
    return true;
  }
  for (std::size_t i = outputs_before; i < fx.outputs.size(); ++i) {
    if (fx.outputs[i].client == client) return true;
  }
  return false;
}

}  // namespace

// The connection's one coroutine. Each turn: write what is queued (one send for the whole batch),
// then either execute more of an already-received pipeline or read, then execute a batch.
Task<> Connection::Loop() {
  try {
    const std::size_t input_bytes_max = server_.options.input_bytes_max;
    for (;;) {
      while (!output_.empty() && !dead_) {
        // On a healthy connection the whole batch leaves in this one send(2), without a trip
        // through the scheduler; only a full socket buffer falls back to an async write.
        error_code ec;
        const std::size_t sent = SendNow(output_, ec);
        if (!ec && sent == output_.size()) {
          Release(output_);
          last_active_ms_ = server_.clock_ms;
          break;
        }
        if (!ec) {
          writing_.swap(output_);  // output_ keeps collecting (routed replies) while we wait
          co_await asio::async_write(socket_,
                                     asio::buffer(writing_.data() + sent, writing_.size() - sent),
                                     asio::redirect_error(kAwait, ec));
          Release(writing_);
          last_active_ms_ = server_.clock_ms;
        }
        if (ec) {
          dead_ = true;
          output_.clear();
        }
      }
      if (dead_ || close_requested_) break;
      if (more_input_) {
        // Others' turn before we execute more of this client's pipeline (fairness).
        co_await asio::post(socket_.get_executor(), kAwait);
      } else {
        const std::span<char> space = input_.PrepareWrite(limits::kReadChunkBytes);
        error_code ec;
        std::size_t n = 0;
        if (server_.draining) {
          // Shutting down: execute what the client sent before the shutdown (already in the
          // kernel), without waiting for more; the drain timeout bounds a client that keeps on.
          n = socket_.read_some(asio::buffer(space.data(), space.size()), ec);
          if (ec) break;  // would block (everything executed), EOF or an error: done
        } else {
          reading_ = true;
          n = co_await socket_.async_read_some(asio::buffer(space.data(), space.size()),
                                               asio::redirect_error(kAwait, ec));
          reading_ = false;
          if (ec == asio::error::operation_aborted && !dead_) continue;  // Wake(): look again
          if (ec) {
            if (ec != asio::error::eof && ec != asio::error::connection_reset && !dead_) {
              Log(LogLevel::kDebug, "client id=" + std::to_string(id_) + " read: " + ec.message());
            }
            dead_ = true;
            break;
          }
        }
        input_.Commit(n);
        last_active_ms_ = server_.clock_ms;
        if (input_.size() < needed_bytes_) continue;  // a large frame is still arriving
      }
      ProcessBatch();
      if (!dead_ && !input_.empty() &&
          (input_.size() > input_bytes_max || needed_bytes_ > input_bytes_max)) {
        FailInput("ERR Protocol error: command larger than " + std::to_string(input_bytes_max) +
                  " bytes");
      }
    }
  } catch (const std::exception& e) {
    Log(LogLevel::kWarning, "client id=" + std::to_string(id_) + " failed: " + e.what());
  }
  dead_ = true;
  error_code ec;
  socket_.shutdown(tcp::socket::shutdown_both, ec);
  socket_.close(ec);
  server_.Unregister(*this);
}

std::size_t Connection::SendNow(std::string_view bytes, error_code& ec) {
  const std::size_t n = socket_.write_some(asio::buffer(bytes.data(), bytes.size()), ec);
  if (ec == asio::error::would_block || ec == asio::error::try_again) {
    ec = {};
    return 0;
  }
  return ec ? 0 : n;
}

void Connection::ProcessBatch() {
  Effects& fx = server_.effects;
  fx.Clear();
  const NodeTime now = NowMs();
  const std::size_t output_bytes_max = server_.options.output_bytes_max;
  std::string_view parse_error;
  std::size_t commands = 0;
  more_input_ = false;
  // One clock reading per command: each command's duration runs from the previous reading
  // (the batch start, after the read) to the end of its Step, so it covers parse and execute.
  // With --latency-tracking no, no clock is read and the Node records no durations.
  const bool timed = server_.latency_tracking;
  const bool replicated = server_.links != nullptr;  // only then may the Node hold a reply
  std::uint64_t ticks_before = timed ? CycleClock::Now() : 0;
  while (!input_.empty() && !close_requested_) {
    if (commands == limits::kCommandsPerReadMax) {
      more_input_ = true;
      break;
    }
    if (input_.size() < needed_bytes_) break;
    const ParseStatus status = parser_.Parse(input_.Readable(), command_);
    if (status == ParseStatus::kNeedMore) {
      needed_bytes_ = parser_.needed_bytes();
      break;
    }
    if (status == ParseStatus::kError) {
      parse_error = parser_.error();
      break;
    }
    needed_bytes_ = 0;
    if (!command_.argv.empty()) {
      const std::size_t outputs_before = fx.outputs.size();
      const std::size_t end_before = outputs_before == 0 ? 0 : fx.outputs.back().end;
      server_.node.Step(now, ClientCommand{id_, command_.argv}, fx);
      // A held reply holds every later one, so the last command's tells the state.
      if (replicated) held_ = !RepliedTo(fx, id_, outputs_before, end_before);
      if (timed) {
        const std::uint64_t ticks_after = CycleClock::Now();
        server_.node.CommandTook(CycleClock::ToNs(ticks_after - ticks_before));
        ticks_before = ticks_after;
      }
      ++commands;
      if (fx.shutdown || (!fx.closes.empty() && fx.closes.back() == id_)) {
        // QUIT or SHUTDOWN: nothing this client sent after it is executed.
        if (fx.shutdown) close_requested_ = true;
        input_.Consume(command_.consumed);
        break;
      }
      if (fx.bytes.size() + output_.size() + writing_.size() > output_bytes_max) {
        Abort("output buffer limit reached within one batch");
        input_.Consume(command_.consumed);
        break;
      }
    }
    input_.Consume(command_.consumed);  // only moves an offset; argv stayed valid for Step
  }
  server_.node.Flush(now, fx);  // cluster mode: this batch's replication leaves together
  server_.Route(fx, this);
  if (!parse_error.empty()) FailInput(parse_error);
  input_.Compact();
  if (needed_bytes_ > input_.capacity() && needed_bytes_ <= server_.options.input_bytes_max) {
    input_.Reserve(needed_bytes_);  // one allocation for a large frame, not log2(n) copies
  }
}

void Connection::FailInput(std::string_view error) {
  if (dead_) return;
  Log(LogLevel::kInfo, "closing client id=" + std::to_string(id_) + " addr=" + address_ +
                           ": bad input: " + std::string(error));
  std::string reply;
  reply.reserve(error.size() + 3);
  reply.push_back('-');
  reply.append(error);
  reply.append("\r\n");
  Enqueue(reply);
  close_requested_ = true;
  more_input_ = false;
}

}  // namespace shoal::net
