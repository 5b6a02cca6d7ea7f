#include "client/state/operation.h"

#include <algorithm>
#include <optional>

#include "core/result.h"
#include "core/slot.h"

namespace shoal::client {

const char* OpTypeName(OpType type) {
  switch (type) {
    case OpType::kGet:
      return "GET";
    case OpType::kSet:
      return "SET";
    case OpType::kDel:
      return "DEL";
    case OpType::kCommand:
      return "COMMAND";
  }
  return "?";
}

const char* OpOutcomeName(OpOutcome outcome) {
  switch (outcome) {
    case OpOutcome::kOk:
      return "ok";
    case OpOutcome::kFail:
      return "fail";
    case OpOutcome::kUnknown:
      return "unknown";
  }
  return "?";
}

void Operation::BuildArgv() {
  argv_.clear();
  switch (spec_.type) {
    case OpType::kGet:
      argv_.push_back("GET");
      argv_.push_back(spec_.key);
      break;
    case OpType::kSet:
      argv_.push_back("SET");
      argv_.push_back(spec_.key);
      argv_.push_back(spec_.value);
      if (spec_.condition == SetCondition::kNx) argv_.push_back("NX");
      if (spec_.condition == SetCondition::kXx) argv_.push_back("XX");
      switch (spec_.expiry) {
        case SetExpiry::kNone:
          if (spec_.ttl_ms > 0) {
            argv_.push_back("PX");
            argv_.push_back(std::to_string(spec_.ttl_ms));
          }
          break;
        case SetExpiry::kPx:
          argv_.push_back("PX");
          argv_.push_back(std::to_string(spec_.ttl_ms));
          break;
        case SetExpiry::kEx:
          argv_.push_back("EX");
          argv_.push_back(std::to_string(spec_.ttl_ms / 1000));
          break;
        case SetExpiry::kPxAt:
          argv_.push_back("PXAT");
          argv_.push_back(std::to_string(spec_.expire_at_ms));
          break;
        case SetExpiry::kExAt:
          argv_.push_back("EXAT");
          argv_.push_back(std::to_string(spec_.expire_at_ms / 1000));
          break;
        case SetExpiry::kKeepTtl:
          argv_.push_back("KEEPTTL");
          break;
      }
      break;
    case OpType::kDel:
      argv_.push_back("DEL");
      argv_.push_back(spec_.key);
      break;
    case OpType::kCommand:
      SHOAL_ASSERT_MSG(!spec_.argv.empty(), "a command operation without a command");
      argv_ = spec_.argv;
      break;
  }
}

Operation::Action Operation::Start(TimeMs now, OpSpec spec, const SlotRouter& router) {
  SHOAL_ASSERT_MSG(done_, "Start on an operation still running");
  spec_ = std::move(spec);
  slot_ = KeySlot(spec_.key);
  result_ = OpResult{};
  invoked_at_ = now;
  backoff_ms_ = policy_.backoff_initial_ms;
  maybe_applied_ = false;
  done_ = false;
  BuildArgv();
  return Send(now, router.Route(slot_, 0));
}

Operation::Action Operation::Send(TimeMs now, NodeIndex node, bool asking) {
  SHOAL_ASSERT(node != kNoNode);
  result_.attempts++;
  target_ = node;
  in_flight_ = true;
  attempt_deadline_ = now + policy_.attempt_timeout_ms;
  return Action{Action::Kind::kSend, node, now, asking};
}

Operation::Action Operation::Finish(OpOutcome outcome) {
  result_.outcome = outcome;
  done_ = true;
  in_flight_ = false;
  return Action{Action::Kind::kDone, kNoNode, 0};
}

Operation::Action Operation::Exhausted() {
  return Finish(maybe_applied_ ? OpOutcome::kUnknown : OpOutcome::kFail);
}

Operation::Action Operation::Retry(TimeMs now) {
  const TimeMs wake = now + backoff_ms_;
  if (result_.attempts >= policy_.attempts_max || wake > invoked_at_ + policy_.op_deadline_ms) {
    return Exhausted();
  }
  backoff_ms_ = std::min(backoff_ms_ * 2, policy_.backoff_max_ms);
  return Action{Action::Kind::kSleep, kNoNode, wake};
}

Operation::Action Operation::OnWake(TimeMs now, const SlotRouter& router) {
  SHOAL_ASSERT(!done_ && !in_flight_);
  return Send(now, router.Route(slot_, result_.attempts));
}

Operation::Action Operation::OnTimeout(TimeMs now) {
  return OnAttemptLost(now, OpEnd::kTimeout, "timeout");
}

Operation::Action Operation::OnConnectionLost(TimeMs now) {
  return OnAttemptLost(now, OpEnd::kConnectionLost, "connection lost");
}

Operation::Action Operation::OnAttemptLost(TimeMs now, OpEnd end, const char* error) {
  SHOAL_ASSERT(!done_ && in_flight_);
  result_.error = error;
  result_.end = end;
  if (!policy_.retry_after_timeout || !Repeatable()) return Finish(OpOutcome::kUnknown);
  in_flight_ = false;
  if (IsWrite()) maybe_applied_ = true;
  return Retry(now);
}

Operation::Action Operation::OnNotSent(TimeMs now) {
  SHOAL_ASSERT(!done_ && in_flight_);
  in_flight_ = false;
  result_.error = "not sent";
  result_.end = OpEnd::kRefused;
  return Retry(now);
}

Operation::Action Operation::OnReply(TimeMs now, const Reply& reply, SlotRouter& router) {
  SHOAL_ASSERT(!done_ && in_flight_);
  in_flight_ = false;
  result_.end = OpEnd::kReply;
  if (reply.IsError()) {
    result_.error = reply.text;
    const std::string_view code = reply.ErrorCode();
    if (code == "MOVED" || code == "ASK") {
      result_.end = OpEnd::kRedirectFailed;
      Redirect redirect;
      if (ParseRedirect(reply.text, redirect)) {
        std::optional<NodeIndex> node = router.NodeForAddress(redirect.address);
        if (!node && policy_.learn_addresses) node = router.AddNode(redirect.address);
        if (node) {
          result_.redirects++;
          if (code == "MOVED") result_.moved++;
          if (code == "MOVED" && redirect.slot == slot_ && router.Owner(slot_) != *node) {
            router.SetOwner(slot_, *node);
            router.CountRedirect();
          }
          if (result_.attempts >= policy_.attempts_max ||
              now > invoked_at_ + policy_.op_deadline_ms) {
            return Exhausted();
          }
          // Redirects are answered at once: the new owner is known, no need to back off.
          return Send(now, *node, code == "ASK");
        }
      }
      // A redirect we cannot follow: nothing was executed.
      return Exhausted();
    }
    if (code == "LOADING" || code == "CLUSTERDOWN" || code == "TRYAGAIN") {
      result_.end = OpEnd::kRefused;
      return Retry(now);
    }
    result_.end = OpEnd::kErrorReply;
    return Finish(IsWrite() ? OpOutcome::kUnknown : OpOutcome::kFail);
  }
  switch (spec_.type) {
    case OpType::kGet:
      if (reply.type == Reply::Type::kBulk) {
        result_.found = true;
        result_.value = reply.text;
        return Finish(OpOutcome::kOk);
      }
      if (reply.type == Reply::Type::kNil) return Finish(OpOutcome::kOk);
      result_.error = "unexpected reply to GET";
      return Finish(OpOutcome::kFail);
    case OpType::kSet:
      if (reply.type == Reply::Type::kSimple && reply.text == "OK") {
        result_.written = true;
        return Finish(OpOutcome::kOk);
      }
      if (reply.type == Reply::Type::kNil && spec_.condition != SetCondition::kNone) {
        return Finish(OpOutcome::kOk);  // NX / XX refused it: definitely not applied
      }
      result_.error = "unexpected reply to SET";
      return Finish(OpOutcome::kUnknown);
    case OpType::kDel:
      if (reply.type == Reply::Type::kInteger) return Finish(OpOutcome::kOk);
      result_.error = "unexpected reply to DEL";
      return Finish(OpOutcome::kUnknown);
    case OpType::kCommand:
      result_.reply = reply;
      return Finish(OpOutcome::kOk);
  }
  return Finish(OpOutcome::kUnknown);
}

}  // namespace shoal::client
