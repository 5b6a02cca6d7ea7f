// The simulated workload: clients running the shared client state machine (client::Operation)
// in `pipeline` lanes each, over one connection per node whose replies come back in order.
// Most operations are the checked GET / SET / DEL (with NX, XX, PX, EX, PXAT, EXAT or KEEPTTL) on
// the scenario's keys, each SET writing a value unique in the run; the rest mutate the client's
// own keys (INCR, APPEND, EXPIRE, GETEX, SET ... GET, MSET) for the replica audits.
#include <cinttypes>
#include <cstdio>

#include "core/limits.h"
#include "core/result.h"
#include "sim/faults.h"
#include "sim/sim_world.h"

namespace shoal::sim {

void Sim::OnReply(const Event& e) {
  const std::uint32_t c = e.a;
  const std::uint32_t n = e.b;
  SimClient& client = clients_[c];
  const std::string& bytes = bytes_pool_[e.payload];
  trace_.FoldBytes(bytes);
  if (client.conn[n] != e.tag) {  // a connection the client already gave up
    FreeBytes(e.payload);
    return;
  }
  Verbose(e, "n%u -> c%u %.*s", n, c,
          static_cast<int>(std::min<std::size_t>(bytes.size(), 60) -
                           (bytes.size() >= 2 && bytes.size() <= 60 ? 2 : 0)),
          bytes.c_str());
  client.parsers[n].Append(bytes);
  FreeBytes(e.payload);
  for (;;) {
    const client::ReplyStatus status = client.parsers[n].Next(client.reply);
    if (status == client::ReplyStatus::kNeedMore) break;
    if (status == client::ReplyStatus::kError || client.waiting[n].empty()) {
      DropConnection(c, n);  // garbage, or a reply nobody asked for
      break;
    }
    const std::uint32_t lane = client.waiting[n].front();
    client.waiting[n].pop_front();
    Lane& l = client.lanes[lane];
    Verbose(e, "c%u.%u gets the reply (%s)", c, lane,
            l.running && l.op.in_flight() && l.op.target() == n ? "in flight" : "not waiting");
    if (l.running && l.op.in_flight() && l.op.target() == n) {
      HandleAction(c, lane, l.op.OnReply(now_, client.reply, client.router));
    }
  }
}

Event Sim::ConnectionEvent(Ev kind, TimeMs at, std::uint32_t c, std::uint32_t n) const {
  Event e;
  e.kind = kind;
  e.at = at;
  e.a = c;
  e.b = n;
  e.tag = clients_[c].conn[n];  // the connection it travels on
  e.incarnation = nodes_[n].incarnation;
  return e;
}

void Sim::DropConnection(std::uint32_t c, std::uint32_t n) {
  SimClient& client = clients_[c];
  if (client.conn[n] == 0) return;
  const Delivery d = network_->Send(now_, network_->ClientEndpoint(c), n, net_prng_);
  if (d.delivered) Push(ConnectionEvent(Ev::kClose, d.at, c, n));
  client.conn[n] = 0;
  client.parsers[n].Reset();
  // Every request still waiting on that connection is lost with it: its outcome is unknown.
  std::deque<std::uint32_t> lost;
  lost.swap(client.waiting[n]);
  for (const std::uint32_t lane : lost) {
    Lane& l = client.lanes[lane];
    if (!l.running || !l.op.in_flight() || l.op.target() != n) continue;
    HandleAction(c, lane, l.op.OnTimeout(now_));
  }
}

void Sim::HandleAction(std::uint32_t c, std::uint32_t lane,
                       const client::Operation::Action& action) {
  SimClient& client = clients_[c];
  Lane& l = client.lanes[lane];
  using Kind = client::Operation::Action::Kind;
  switch (action.kind) {
    case Kind::kSend: {
      const std::uint32_t n = action.node;
      SHOAL_ASSERT(n < node_count_);
      if (client.conn[n] == 0) {
        client.conn[n] = (++client.conn_serial << kClientBits) | c;
        client.parsers[n].Reset();
        client.waiting[n].clear();
        client.stalled[n] = false;
      }
      client.waiting[n].push_back(lane);
      if (options_.verbose) {
        std::printf("%8" PRId64 "ms send    c%u.%u -> n%u conn=%" PRIu64 " waiting=%zu%s\n",
                    static_cast<std::int64_t>(now_), c, lane, n, client.conn[n],
                    client.waiting[n].size(), client.stalled[n] ? " (stalled)" : "");
      }
      // A lost request stalls the connection (a stream): nothing sent after it arrives either.
      Delivery d;
      if (!client.stalled[n]) d = network_->Send(now_, network_->ClientEndpoint(c), n, net_prng_);
      if (!d.delivered) client.stalled[n] = true;
      trace_.Fold(d.delivered ? static_cast<std::uint64_t>(d.at) : 0xDEAD);
      if (d.delivered) {
        Event e = ConnectionEvent(Ev::kRequest, d.at, c, n);
        e.payload = AllocArgv(l.op.argv());
        Push(e);
      }
      Event timeout;
      timeout.kind = Ev::kClientTimeout;
      timeout.a = c;
      timeout.b = lane;
      timeout.tag = ++l.timer_gen;
      timeout.at = l.op.attempt_deadline();
      Push(timeout);
      break;
    }
    case Kind::kSleep: {
      Event wake;
      wake.kind = Ev::kClientWake;
      wake.a = c;
      wake.b = lane;
      wake.tag = ++l.timer_gen;
      wake.at = std::max(action.at, now_);
      Push(wake);
      break;
    }
    case Kind::kDone:
      l.timer_gen++;  // cancels the attempt's timeout
      CompleteOp(c, lane);
      ScheduleNext(c, lane);
      break;
  }
}

void Sim::CompleteOp(std::uint32_t c, std::uint32_t lane) {
  SimClient& client = clients_[c];
  Lane& l = client.lanes[lane];
  l.running = false;
  const client::OpResult& r = l.op.result();
  if (l.mutation_index != kNoHistory) {
    MutationOp& m = mutation_ops_[l.mutation_index];
    m.done = true;
    m.complete_at = now_;
    m.outcome = r.outcome;
    m.answered = r.outcome == client::OpOutcome::kOk || (r.outcome == client::OpOutcome::kUnknown &&
                                                         !r.error.empty() && r.error != "timeout");
    trace_.Fold(static_cast<std::uint64_t>(r.outcome) | 0x4000);
    // APPEND reports the new length: reset the key (SET) once it grows past the bound.
    if (r.outcome == client::OpOutcome::kOk && r.reply.type == client::Reply::Type::kInteger &&
        l.op.spec().argv.front() == "APPEND") {
      client.own_values[l.own_key].assign(static_cast<std::size_t>(std::max<std::int64_t>(
                                              0, std::min<std::int64_t>(r.reply.integer, 1000))),
                                          'x');
    }
    l.mutation_index = kNoHistory;
    return;
  }
  Operation& op = history_.ops[l.history_index];
  op.complete_at = now_;
  op.node = static_cast<std::int32_t>(l.op.target());
  switch (r.outcome) {
    case client::OpOutcome::kOk:
      op.outcome = OpOutcome::kOk;
      break;
    case client::OpOutcome::kFail:
      op.outcome = OpOutcome::kFail;
      break;
    case client::OpOutcome::kUnknown:
      op.outcome = OpOutcome::kUnknown;
      break;
  }
  if (op.kind == OpKind::kGet && op.outcome == OpOutcome::kOk) {
    op.found = r.found;
    op.value = r.value;
  }
  if (op.kind == OpKind::kSet && op.outcome == OpOutcome::kOk) op.written = r.written;
  trace_.Fold(op.id);
  trace_.Fold(static_cast<std::uint64_t>(op.outcome) | (op.found ? 0x100 : 0) |
              (op.written ? 0x200 : 0));
  if (op.found) trace_.FoldBytes(op.value);
  if (options_.verbose) {
    std::printf("%8" PRId64 "ms done    c%u.%u op#%" PRIu64 " %s %s -> %s%s%s%s%s\n",
                static_cast<std::int64_t>(now_), c, lane, op.id,
                client::OpTypeName(l.op.spec().type), op.key.c_str(),
                client::OpOutcomeName(r.outcome), op.found ? " value=" : "",
                op.found ? op.value.c_str() : "", r.error.empty() ? "" : " err=", r.error.c_str());
  }
  l.history_index = kNoHistory;
}

bool Sim::OnlySweeperLeft() const {
  std::uint32_t running = 0;
  for (const SimClient& client : clients_) {
    running += static_cast<std::uint32_t>(client.lanes.size()) - client.lanes_finished;
  }
  return running <= 1;
}

bool Sim::NextSweepKey(std::uint32_t& next) const {
  // The final sweep reads every key that was ever written (on a key nobody wrote, a miss is
  // all there is to see), so a cold key written once early is read again at the end.
  while (next < scenario_.keys.size() &&
         !last_write_.contains(cluster::AbslView(scenario_.keys[next]))) {
    ++next;
  }
  return next < scenario_.keys.size();
}

void Sim::ReleaseBurst(std::uint32_t c, TimeMs at) {
  SimClient& client = clients_[c];
  for (std::uint32_t j = 0; j < client.lanes.size(); ++j) {
    Lane& idle = client.lanes[j];
    if (!idle.idle) continue;
    idle.idle = false;
    Event wake;
    wake.kind = Ev::kClientWake;
    wake.a = c;
    wake.b = j;
    wake.tag = ++idle.timer_gen;
    wake.at = at;
    Push(wake);
  }
  client.lanes_idle = 0;
}

void Sim::ScheduleNext(std::uint32_t c, std::uint32_t lane) {
  SimClient& client = clients_[c];
  Lane& l = client.lanes[lane];
  const TimeMs think =
      burst_ ? std::max<TimeMs>(1, scenario_.think_mean_ms / 10) : scenario_.think_mean_ms;
  const bool pipelined = client.lanes.size() > 1;
  if (pipelined && client.ops_left > 0 && !l.sweeping) {
    // Send a burst, wait for every reply, think, send the next (redis-benchmark -P N).
    l.idle = true;
    client.lanes_idle++;
    if (client.lanes_idle + client.lanes_finished == client.lanes.size()) {
      ReleaseBurst(c, now_ + 1 + workload_prng_.Exponential(think));
    }
    return;
  }
  TimeMs at = 0;
  if (client.ops_left > 0) {
    at = now_ + 1 + workload_prng_.Exponential(think);
  } else if (c == 0 && lane == 0 && (!l.sweeping || NextSweepKey(client.sweep_next))) {
    // (Which keys were written is known only once every other lane is done: OnClientWake waits
    // for that before the first key.)
    l.sweeping = true;
    at = std::max(now_ + 1, scenario_.liveness_start);
  } else {
    if (!l.finished) {
      l.finished = true;
      client.lanes_finished++;
      if (client.lanes_finished == client.lanes.size()) {
        client.finished = true;
        clients_finished_++;
      } else if (client.lanes_idle > 0 &&
                 client.lanes_idle + client.lanes_finished == client.lanes.size()) {
        ReleaseBurst(c, now_ + 1);  // the lanes waiting for this one: no operations left
      }
    }
    return;
  }
  Event wake;
  wake.kind = Ev::kClientWake;
  wake.a = c;
  wake.b = lane;
  wake.tag = ++l.timer_gen;
  wake.at = at;
  Push(wake);
}

void Sim::OnClientWake(const Event& e) {
  SimClient& client = clients_[e.a];
  Lane& l = client.lanes[e.b];
  if (e.tag != l.timer_gen || l.finished) return;
  if (l.running) {
    Verbose(e, "c%u.%u retry", e.a, e.b);
    HandleAction(e.a, e.b, l.op.OnWake(now_, client.router));
  } else if (client.ops_left == 0 && l.sweeping && !OnlySweeperLeft()) {
    // The sweep starts once every other lane is done (which keys were written is known then).
    Event wake = e;
    wake.tag = ++l.timer_gen;
    wake.at = now_ + limits::kTickIntervalMs;
    Push(wake);
  } else if (client.ops_left == 0 && (!l.sweeping || !NextSweepKey(client.sweep_next))) {
    ScheduleNext(e.a, e.b);  // no operations left for this lane: sweep or finish
  } else {
    StartNextOp(e.a, e.b);
  }
}

void Sim::OnClientTimeout(const Event& e) {
  SimClient& client = clients_[e.a];
  Lane& l = client.lanes[e.b];
  if (e.tag != l.timer_gen || !l.running || !l.op.in_flight()) return;
  const std::uint32_t target = l.op.target();
  Verbose(e, "c%u.%u attempt to n%u timed out", e.a, e.b, target);
  // The connection is dropped: this request and every other one waiting on it end unknown.
  DropConnection(e.a, target);
}

client::OpSpec Sim::DrawCheckedOp(std::uint32_t c, std::uint64_t id, Operation& op) {
  client::OpSpec spec;
  spec.key = scenario_.key_per_client ? scenario_.keys[c % scenario_.keys.size()]
                                      : scenario_.keys[DrawKey(scenario_, workload_prng_)];
  const std::uint64_t r = workload_prng_.Below(100);
  if (r < 50) {
    spec.type = client::OpType::kGet;
  } else if (r < 88) {
    spec.type = client::OpType::kSet;
    spec.value = "v" + std::to_string(id) + "c" + std::to_string(c);
    const std::uint64_t condition = workload_prng_.Below(20);
    if (condition == 0) spec.condition = client::SetCondition::kNx;
    if (condition == 1) spec.condition = client::SetCondition::kXx;
    const std::uint64_t expiry = workload_prng_.Below(100);
    const TimeMs client_wall = kNodeEpochMs + now_;  // clients keep true time
    if (expiry < 20) {
      spec.ttl_ms = workload_prng_.Range(50, 4000);  // PX
    } else if (expiry < 24) {
      spec.expiry = client::SetExpiry::kEx;
      spec.ttl_ms = 1000 * workload_prng_.Range(1, 4);
    } else if (expiry < 28) {
      spec.expiry = client::SetExpiry::kPxAt;
      spec.expire_at_ms = client_wall + workload_prng_.Range(100, 5000);
    } else if (expiry < 31) {
      spec.expiry = client::SetExpiry::kExAt;
      spec.expire_at_ms = (client_wall + workload_prng_.Range(1000, 5000)) / 1000 * 1000;
    } else if (expiry < 35) {
      spec.expiry = client::SetExpiry::kKeepTtl;
    }
    op.ttl_ms = spec.ttl_ms;
    op.expire_at = spec.expire_at_ms == 0 ? 0 : spec.expire_at_ms - kNodeEpochMs;
    op.keep_ttl = spec.expiry == client::SetExpiry::kKeepTtl;
    op.condition = spec.condition == client::SetCondition::kNx   ? SetCondition::kNx
                   : spec.condition == client::SetCondition::kXx ? SetCondition::kXx
                                                                 : SetCondition::kNone;
  } else {
    spec.type = client::OpType::kDel;
  }
  return spec;
}

client::OpSpec Sim::DrawMutationOp(std::uint32_t c) {
  client::OpSpec spec;
  spec.type = client::OpType::kCommand;
  const auto k = static_cast<std::uint32_t>(workload_prng_.Below(kOwnKeysPerClient));
  spec.key = OwnKey(c, k);
  const std::string fresh = std::to_string(workload_prng_.Below(1000));
  switch (workload_prng_.Below(7)) {
    case 0:
      spec.argv = {"INCR", spec.key};
      break;
    case 1:
      if (clients_[c].own_values[k].size() > kOwnValueBytesMax) {
        spec.argv = {"SET", spec.key, fresh};
      } else {
        spec.argv = {"APPEND", spec.key, "x" + fresh};
      }
      break;
    case 2:
      spec.argv = {"EXPIRE", spec.key, std::to_string(workload_prng_.Range(1, 5))};
      break;
    case 3:
      spec.argv = workload_prng_.Chance(1, 2)
                      ? std::vector<std::string>{"GETEX", spec.key, "PX",
                                                 std::to_string(workload_prng_.Range(200, 5000))}
                      : std::vector<std::string>{"GETEX", spec.key, "PERSIST"};
      break;
    case 4:
      spec.argv = {"SET", spec.key, fresh, "GET"};
      break;
    case 5: {
      spec.argv = {"MSET"};
      const auto count = static_cast<std::uint32_t>(workload_prng_.Range(1, 3));
      for (std::uint32_t i = 0; i < count; ++i) {
        spec.argv.push_back(OwnKey(c, (k + i) % kOwnKeysPerClient));
        spec.argv.push_back(fresh + "-" + std::to_string(i));
      }
      if (workload_prng_.Chance(1, 3) || count == 1) {
        // One key twice (legal; the last value wins): a mutation must carry only its final state.
        spec.argv.push_back(spec.argv[1]);
        spec.argv.push_back(fresh + "-again");
      }
      spec.key = spec.argv[1];
      break;
    }
    default:
      spec.argv = {"GET", spec.key};
      spec.write = false;
      break;
  }
  return spec;
}

void Sim::StartNextOp(std::uint32_t c, std::uint32_t lane) {
  SimClient& client = clients_[c];
  Lane& l = client.lanes[lane];
  client::OpSpec spec;
  if (client.ops_left > 0 && workload_prng_.Below(100) < scenario_.mutation_percent) {
    client.ops_left--;
    spec = DrawMutationOp(c);
    l.own_key = 0;
    for (std::uint32_t k = 0; k < kOwnKeysPerClient; ++k) {
      if (spec.key == OwnKey(c, k)) l.own_key = k;
    }
    MutationOp m;
    m.invoke_at = now_;
    m.client = c;
    for (const std::string& a : spec.argv) m.text += (m.text.empty() ? "" : " ") + a;
    mutation_ops_.push_back(std::move(m));
    l.mutation_index = mutation_ops_.size() - 1;
    l.history_index = kNoHistory;
    if (spec.write) {
      for (std::size_t i = 1; i < spec.argv.size(); ++i) {
        if (spec.argv[i].rfind("{m", 0) == 0) MarkDirty(spec.argv[i]);
      }
    }
    l.running = true;
    for (const std::string& a : spec.argv) trace_.FoldBytes(a);
    HandleAction(c, lane, l.op.Start(now_, std::move(spec), client.router));
    return;
  }
  const std::uint64_t id = history_.ops.size();
  Operation op;
  if (client.ops_left > 0) {
    client.ops_left--;
    spec = DrawCheckedOp(c, id, op);
  } else {
    SHOAL_ASSERT(l.sweeping);
    spec.type = client::OpType::kGet;
    SHOAL_ASSERT(NextSweepKey(client.sweep_next));
    spec.key = scenario_.keys[client.sweep_next++];
  }
  op.id = id;
  op.client = c;
  op.kind = spec.type == client::OpType::kGet   ? OpKind::kGet
            : spec.type == client::OpType::kSet ? OpKind::kSet
                                                : OpKind::kDel;
  op.key = spec.key;
  op.value = spec.value;
  op.invoke_at = now_;
  if (op.kind != OpKind::kGet) {
    last_write_[op.key] = id;
    MarkDirty(op.key);
  }
  history_.ops.push_back(std::move(op));
  l.history_index = history_.ops.size() - 1;
  l.mutation_index = kNoHistory;
  l.running = true;
  trace_.Fold(id);
  trace_.Fold(static_cast<std::uint64_t>(spec.type) |
              (static_cast<std::uint64_t>(spec.ttl_ms) << 8));
  trace_.FoldBytes(spec.key);
  trace_.FoldBytes(spec.value);
  HandleAction(c, lane, l.op.Start(now_, std::move(spec), client.router));
}

}  // namespace shoal::sim
