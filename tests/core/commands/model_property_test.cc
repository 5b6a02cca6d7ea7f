// Model-based property: random sequences of SET (with EX/PX/NX/XX/GET/KEEPTTL), GET, GETDEL, DEL,
// EXISTS, EXPIRE/PEXPIRE (with NX|XX|GT|LT), TTL, PTTL, PERSIST, INCR, INCRBY and clock advances,
// run through ExecuteCommand with a real Store and through a few-line reference model, must produce
// identical reply bytes.
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "rapidcheck/gtest.h"
#include "tests/core/commands/command_harness.h"

namespace shoal::testing {
namespace {

// The reference: a std::map of key -> (value, absolute expiry in ms, 0 = none).
class Model {
 public:
  explicit Model(TimeMs now) : now_(now) {}

  void Advance(TimeMs ms) { now_ += ms; }

  std::string Run(const std::vector<std::string>& a) {
    const std::string& cmd = a[0];
    if (cmd == "set") return Set(a);
    if (cmd == "get") {
      const Entry* e = Live(a[1]);
      return e ? Bulk(e->value) : kNil;
    }
    if (cmd == "del" || cmd == "exists") {
      long long n = 0;
      for (std::size_t i = 1; i < a.size(); ++i) {
        if (Live(a[i])) {
          n++;
          if (cmd == "del") map_.erase(a[i]);
        }
      }
      return Int(n);
    }
    if (cmd == "expire" || cmd == "pexpire") {
      const long long n = std::stoll(a[2]);
      const TimeMs when = now_ + (cmd == "expire" ? n * 1000 : n);
      Entry* e = Live(a[1]);
      if (!e) return Int(0);
      const std::string opt = a.size() > 3 ? a[3] : "";
      // No TTL is an infinite one: GT never beats it, LT always does.
      if (opt == "NX" && e->expire_at != 0) return Int(0);
      if (opt == "XX" && e->expire_at == 0) return Int(0);
      if (opt == "GT" && (e->expire_at == 0 || when <= e->expire_at)) return Int(0);
      if (opt == "LT" && e->expire_at != 0 && when >= e->expire_at) return Int(0);
      if (when <= now_) {
        map_.erase(a[1]);
      } else {
        e->expire_at = when;
      }
      return Int(1);
    }
    if (cmd == "getdel") {
      const Entry* e = Live(a[1]);
      if (!e) return kNil;
      const std::string reply = Bulk(e->value);
      map_.erase(a[1]);
      return reply;
    }
    if (cmd == "ttl" || cmd == "pttl") {
      const Entry* e = Live(a[1]);
      if (!e) return Int(-2);
      if (e->expire_at == 0) return Int(-1);
      const TimeMs ms = e->expire_at - now_;
      return Int(cmd == "pttl" ? ms : (ms + 500) / 1000);
    }
    if (cmd == "persist") {
      Entry* e = Live(a[1]);
      if (!e || e->expire_at == 0) return Int(0);
      e->expire_at = 0;
      return Int(1);
    }
    if (cmd == "incr" || cmd == "incrby") {
      const long long delta = cmd == "incr" ? 1 : std::stoll(a[2]);
      Entry* e = Live(a[1]);
      __int128 v = 0;
      if (e) {
        // Canonical decimal only, as Redis's string2ll.
        const std::optional<long long> parsed = Canonical(e->value);
        if (!parsed) return Err("ERR value is not an integer or out of range");
        v = *parsed;
      }
      v += delta;
      if (v > INT64_MAX || v < INT64_MIN) return Err("ERR increment or decrement would overflow");
      const long long r = static_cast<long long>(v);
      if (e) {
        e->value = std::to_string(r);
      } else {
        map_[a[1]] = Entry{std::to_string(r), 0};
      }
      return Int(r);
    }
    return "unmodelled";
  }

 private:
  struct Entry {
    std::string value;
    TimeMs expire_at = 0;
  };

  static std::optional<long long> Canonical(const std::string& s) {
    if (s.empty() || s.size() > 20) return std::nullopt;
    errno = 0;
    char* end = nullptr;
    const long long v = std::strtoll(s.c_str(), &end, 10);
    if (errno != 0 || end != s.c_str() + s.size() || std::to_string(v) != s) return std::nullopt;
    return v;
  }

  Entry* Live(const std::string& key) {
    auto it = map_.find(key);
    if (it == map_.end()) return nullptr;
    if (it->second.expire_at != 0 && it->second.expire_at <= now_) {
      map_.erase(it);
      return nullptr;
    }
    return &it->second;
  }

  std::string Set(const std::vector<std::string>& a) {
    bool nx = false, xx = false, get = false, keepttl = false;
    TimeMs expire_at = 0;
    for (std::size_t i = 3; i < a.size(); ++i) {
      if (a[i] == "NX") nx = true;
      if (a[i] == "XX") xx = true;
      if (a[i] == "GET") get = true;
      if (a[i] == "KEEPTTL") keepttl = true;
      if (a[i] == "EX" || a[i] == "PX") {
        const long long n = std::stoll(a[i + 1]);
        if (n <= 0) return Err("ERR invalid expire time in 'set' command");
        expire_at = now_ + (a[i] == "EX" ? n * 1000 : n);
        ++i;
      }
    }
    Entry* e = Live(a[1]);
    std::string reply = get ? (e ? Bulk(e->value) : kNil) : "";
    if ((nx && e) || (xx && !e)) return get ? reply : kNil;
    if (keepttl && e) expire_at = e->expire_at;
    map_[a[1]] = Entry{a[2], expire_at};
    return get ? reply : kOk;
  }

  TimeMs now_;
  std::map<std::string, Entry> map_;
};

// One step: a command, or a clock advance (empty argv, advance in `advance_ms`).
struct Step {
  std::vector<std::string> argv;
  TimeMs advance_ms = 0;
};

rc::Gen<Step> GenStep() {
  const auto key = rc::gen::element<std::string>("a", "b", "c");
  const auto value = rc::gen::element<std::string>(
      "x", "0", "7", "-3", "010", "9223372036854775806", "-9223372036854775807", "");
  const auto small = rc::gen::inRange<long long>(-2, 6);
  return rc::gen::oneOf(
      rc::gen::apply(
          [](std::string k, std::string v, int expiry, long long n, int cond, bool get,
             bool keepttl) {
            Step s{{"set", k, v}};
            if (expiry == 1) s.argv.insert(s.argv.end(), {"EX", std::to_string(n)});
            if (expiry == 2) s.argv.insert(s.argv.end(), {"PX", std::to_string(n * 250)});
            if (cond == 1) s.argv.push_back("NX");
            if (cond == 2) s.argv.push_back("XX");
            if (get) s.argv.push_back("GET");
            if (keepttl && expiry == 0) s.argv.push_back("KEEPTTL");
            return s;
          },
          key, value, rc::gen::inRange(0, 3), small, rc::gen::inRange(0, 3),
          rc::gen::arbitrary<bool>(), rc::gen::arbitrary<bool>()),
      rc::gen::map(key,
                   [](std::string k) {
                     return Step{{"get", k}};
                   }),
      rc::gen::apply(
          [](std::string k1, std::string k2) {
            return Step{{"del", k1, k2}};
          },
          key, key),
      rc::gen::apply(
          [](std::string k1, std::string k2) {
            return Step{{"exists", k1, k2}};
          },
          key, key),
      rc::gen::apply(
          [](std::string k, long long n, bool ms, std::string opt) {
            Step s{{ms ? "pexpire" : "expire", k, std::to_string(ms ? n * 250 : n)}};
            if (!opt.empty()) s.argv.push_back(opt);
            return s;
          },
          key, small, rc::gen::arbitrary<bool>(),
          rc::gen::element<std::string>("", "", "NX", "XX", "GT", "LT")),
      rc::gen::map(key,
                   [](std::string k) {
                     return Step{{"getdel", k}};
                   }),
      rc::gen::apply(
          [](std::string k, bool ms) {
            return Step{{ms ? "pttl" : "ttl", k}};
          },
          key, rc::gen::arbitrary<bool>()),
      rc::gen::map(key,
                   [](std::string k) {
                     return Step{{"persist", k}};
                   }),
      rc::gen::map(key,
                   [](std::string k) {
                     return Step{{"incr", k}};
                   }),
      rc::gen::apply(
          [](std::string k, long long d) {
            return Step{{"incrby", k, std::to_string(d)}};
          },
          key, rc::gen::element<long long>(1, -1, 100, INT64_MAX, INT64_MIN)),
      // Clock steps that land on the interesting boundaries (TTL rounding at 500 ms, expiry at
      // exactly the deadline) as well as arbitrary ones.
      rc::gen::map(rc::gen::oneOf(rc::gen::element<TimeMs>(0, 1, 250, 500, 999, 1000, 1500),
                                  rc::gen::inRange<TimeMs>(0, 2500)),
                   [](TimeMs ms) {
                     return Step{{}, ms};
                   }));
}

RC_GTEST_PROP(CommandModel, RepliesMatchTheModel, ()) {
  const auto steps = *rc::gen::resize(60, rc::gen::container<std::vector<Step>>(GenStep()));
  CommandHarness h;
  Model model(h.now());
  for (const Step& step : steps) {
    if (step.argv.empty()) {
      h.Advance(step.advance_ms);
      model.Advance(step.advance_ms);
      continue;
    }
    const std::string expected = model.Run(step.argv);
    const std::string actual = h.Run(step.argv);
    if (actual != expected) {
      std::string cmd;
      for (const std::string& a : step.argv) cmd += a + " ";
      RC_FAIL("command: " + cmd + "\nexpected: " + expected + "\nactual:   " + actual);
    }
  }
}

}  // namespace
}  // namespace shoal::testing
