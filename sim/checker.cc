// Checker implementation. See sim/checker.h for the rules and docs/design.md §9 for the
// reasoning behind each one.
//
// Per key, every rule reduces to one question asked many times: "among these events whose
// completion lies before time p, which one was invoked last, ignoring events that belong to
// family f?" (a family is one written value: its SET and the GETs that returned it). Sorting the
// events by completion and keeping, for every prefix, the best two entries of DIFFERENT families
// answers it with one binary search, hence O(n log n) overall.
#include "sim/checker.h"

#include <absl/container/flat_hash_map.h>
#include <absl/strings/str_cat.h>

#include <algorithm>
#include <cstdio>
#include <iterator>
#include <utility>

#include "core/result.h"

namespace shoal::sim {
namespace {

constexpr TimeMs kInf = INT64_MAX / 4;
constexpr TimeMs kNegInf = INT64_MIN / 4;
// Families 0..sets-1 are the key's SETs; every other event gets its own family at or above this.
constexpr std::uint64_t kFamOwnBase = std::uint64_t{1} << 40;
constexpr std::uint32_t kNoRef = UINT32_MAX;

bool IsCompleted(const Operation& op) {
  return op.outcome == OpOutcome::kOk || op.outcome == OpOutcome::kFail ||
         op.outcome == OpOutcome::kUnknown;
}

// One entry of a prefix maximum: `val` is what is maximised, `fam` its family, `ref` what to
// report (an index into the key's event table).
struct Item {
  TimeMs val = kNegInf;
  std::uint64_t fam = UINT64_MAX;
  std::uint32_t ref = kNoRef;
};

// The best two items of different families.
struct Top2 {
  Item first;
  Item second;

  void Push(const Item& item) {
    if (item.fam == first.fam) {
      if (item.val > first.val) first = item;
    } else if (item.val > first.val) {
      second = first;
      first = item;
    } else if (item.val > second.val) {
      second = item;
    }
  }
  // The best item whose family is not `fam`.
  Item BestExcluding(std::uint64_t fam) const { return first.fam != fam ? first : second; }
};

// Prefix Top2 over entries sorted by a time key.
class PrefixTop2 {
 public:
  void Add(TimeMs key, const Item& item) { entries_.emplace_back(key, item); }

  void Build() {
    std::stable_sort(entries_.begin(), entries_.end(),
                     [](const auto& a, const auto& b) { return a.first < b.first; });
    prefix_.resize(entries_.size());
    Top2 acc;
    for (std::size_t i = 0; i < entries_.size(); ++i) {
      acc.Push(entries_[i].second);
      prefix_[i] = acc;
    }
  }

  // Over entries with key < bound (strict) or key <= bound (inclusive).
  Top2 Upto(TimeMs bound, bool inclusive) const {
    auto it = inclusive ? std::upper_bound(entries_.begin(), entries_.end(), bound,
                                           [](TimeMs b, const auto& e) { return b < e.first; })
                        : std::lower_bound(entries_.begin(), entries_.end(), bound,
                                           [](const auto& e, TimeMs b) { return e.first < b; });
    const std::size_t n = static_cast<std::size_t>(it - entries_.begin());
    return n == 0 ? Top2{} : prefix_[n - 1];
  }

 private:
  std::vector<std::pair<TimeMs, Item>> entries_;
  std::vector<Top2> prefix_;
};

// Something that definitely put a value (or absence) in place: an acknowledged or observed SET,
// an acknowledged DEL, or a GET that returned a value.
struct Blocker {
  std::uint32_t op = 0;           // index into history.ops
  std::uint32_t set_op = kNoRef;  // for a GET: the SET it read
};

// Something that may have been the last thing to happen to the key before a miss, leaving it
// absent. It may be the last one before point p iff no blocker of another family was invoked
// after `b` and completed before p; p is at least `lo`.
struct Absent {
  TimeMs lo = 0;
  TimeMs b = 0;
  std::uint64_t fam = 0;
};

class Checker {
 public:
  // `history` may end with synthetic misses (see CheckHistory): ops at index >= original_ops
  // repeat the id of the conditional SET they stand for.
  Checker(const History& history, std::size_t original_ops, const CheckOptions& options)
      : h_(history),
        original_ops_(original_ops),
        options_(options),
        skew2_(2 * std::max<TimeMs>(0, history.clock_skew_bound_ms)) {}

  CheckResult Run() {
    result_.stats.ops = h_.ops.size();
    SHOAL_ASSERT(h_.ops.size() < kNoRef);
    CheckWellFormed();
    IndexWorld();

    // Rank keys in byte order once (few distinct keys), then sort ops by integers only.
    absl::flat_hash_map<std::string_view, std::uint32_t> key_ids;  // lookups only
    std::vector<std::string_view> key_names;
    std::vector<std::uint32_t> key_of(h_.ops.size());
    for (std::uint32_t i = 0; i < h_.ops.size(); ++i) {
      auto [it, inserted] =
          key_ids.try_emplace(h_.ops[i].key, static_cast<std::uint32_t>(key_names.size()));
      if (inserted) key_names.push_back(h_.ops[i].key);
      key_of[i] = it->second;
    }
    std::vector<std::uint32_t> by_name(key_names.size());
    for (std::uint32_t k = 0; k < by_name.size(); ++k) by_name[k] = k;
    std::sort(by_name.begin(), by_name.end(),
              [&](std::uint32_t a, std::uint32_t b) { return key_names[a] < key_names[b]; });
    std::vector<std::uint32_t> rank(key_names.size());
    for (std::uint32_t r = 0; r < by_name.size(); ++r) rank[by_name[r]] = r;
    for (std::uint32_t& k : key_of) k = rank[k];

    std::vector<std::uint32_t> order(h_.ops.size());
    for (std::uint32_t i = 0; i < order.size(); ++i) order[i] = i;
    std::sort(order.begin(), order.end(), [&](std::uint32_t a, std::uint32_t b) {
      if (key_of[a] != key_of[b]) return key_of[a] < key_of[b];
      const Operation& x = h_.ops[a];
      const Operation& y = h_.ops[b];
      if (x.invoke_at != y.invoke_at) return x.invoke_at < y.invoke_at;
      return x.id < y.id;
    });
    set_local_.assign(h_.ops.size(), kNoRef);
    std::size_t begin = 0;
    std::vector<std::uint32_t> key_ops;
    while (begin < order.size()) {
      std::size_t end = begin + 1;
      while (end < order.size() && key_of[order[end]] == key_of[order[begin]]) ++end;
      key_ops.assign(order.begin() + begin, order.begin() + end);
      CheckKey(key_ops);
      ++result_.stats.keys;
      begin = end;
    }
    result_.ok = result_.violations.empty() && result_.violations_dropped == 0;
    return std::move(result_);
  }

 private:
  void Report(std::string_view key, ViolationKind kind, std::vector<std::uint64_t> op_ids,
              std::string explanation) {
    if (result_.violations.size() >= options_.violations_max) {
      ++result_.violations_dropped;
      return;
    }
    result_.violations.push_back(
        Violation{std::string(key), kind, std::move(op_ids), std::move(explanation)});
  }

  std::string Describe(const Operation& op) const {
    std::string s = absl::StrCat("#", op.id, " (client ", op.client, ", ");
    const bool synthetic =
        &op >= h_.ops.data() + original_ops_ && &op < h_.ops.data() + h_.ops.size();
    switch (op.kind) {
      case OpKind::kGet:
        if (synthetic) {
          absl::StrAppend(&s, "SET ", op.value, " ",
                          op.condition == SetCondition::kNx ? "NX" : "XX",
                          ", which found the key absent");
        } else {
          absl::StrAppend(&s, "GET");
        }
        break;
      case OpKind::kSet:
        absl::StrAppend(&s, "SET ", op.value);
        if (op.condition == SetCondition::kNx) absl::StrAppend(&s, " NX");
        if (op.condition == SetCondition::kXx) absl::StrAppend(&s, " XX");
        if (op.ttl_ms > 0) absl::StrAppend(&s, " ttl=", op.ttl_ms);
        if (op.expire_at > 0) absl::StrAppend(&s, " expire_at=", op.expire_at);
        if (op.keep_ttl) absl::StrAppend(&s, " keepttl");
        if (op.outcome == OpOutcome::kOk && !op.written) absl::StrAppend(&s, " (refused)");
        break;
      case OpKind::kDel:
        absl::StrAppend(&s, "DEL");
        break;
    }
    absl::StrAppend(&s, ", invoked ", op.invoke_at);
    if (IsCompleted(op)) absl::StrAppend(&s, ", completed ", op.complete_at);
    switch (op.outcome) {
      case OpOutcome::kOk:
        absl::StrAppend(&s, ", ok");
        break;
      case OpOutcome::kFail:
        absl::StrAppend(&s, ", failed");
        break;
      case OpOutcome::kUnknown:
        absl::StrAppend(&s, ", unknown");
        break;
      case OpOutcome::kPending:
        absl::StrAppend(&s, ", pending");
        break;
    }
    return s + ")";
  }

  // Invariants of history.h; breaches are simulator bugs, reported rather than asserted so that
  // the report shows them next to the run that produced them.
  void CheckWellFormed() {
    std::vector<std::uint64_t> ids;
    ids.reserve(original_ops_);
    for (std::size_t i = 0; i < original_ops_; ++i) ids.push_back(h_.ops[i].id);
    std::sort(ids.begin(), ids.end());
    for (std::size_t i = 1; i < ids.size(); ++i) {
      if (ids[i] == ids[i - 1] && (i == 1 || ids[i - 2] != ids[i])) {
        Report("", ViolationKind::kMalformedHistory, {ids[i]},
               absl::StrCat("operation id ", ids[i], " is used more than once"));
      }
    }
    value_to_set_.reserve(h_.ops.size());
    for (std::uint32_t i = 0; i < h_.ops.size(); ++i) {
      const Operation& op = h_.ops[i];
      if (IsCompleted(op) && op.complete_at < op.invoke_at) {
        Report(op.key, ViolationKind::kMalformedHistory, {op.id},
               absl::StrCat(Describe(op), " completed before it was invoked"));
      }
      if (!op.written && (op.kind != OpKind::kSet || op.condition == SetCondition::kNone)) {
        Report(op.key, ViolationKind::kMalformedHistory, {op.id},
               absl::StrCat(Describe(op), " is marked not written but is no conditional SET"));
      }
      if (op.kind != OpKind::kSet || i >= original_ops_) continue;
      if (op.value.empty()) {
        Report(op.key, ViolationKind::kMalformedHistory, {op.id},
               absl::StrCat(Describe(op), " writes an empty value; values must be unique"));
        continue;
      }
      auto [it, inserted] = value_to_set_.try_emplace(op.value, i);
      if (!inserted) {
        Report(op.key, ViolationKind::kMalformedHistory, {h_.ops[it->second].id, op.id},
               absl::StrCat("SETs #", h_.ops[it->second].id, " and #", op.id,
                            " write the same value '", op.value, "'; values must be unique"));
      }
    }
  }

  void IndexWorld() {
    for (std::uint32_t i = 0; i < h_.world.size(); ++i) {
      const WorldEvent& e = h_.world[i];
      const bool drop =
          e.kind == WorldEvent::Kind::kEvicted || e.kind == WorldEvent::Kind::kAllCopiesLost;
      if (!drop) continue;
      if (e.key.empty()) {
        keyless_evictions_.push_back(e.at);  // some key, unknown which: the weakest excuse
      } else {
        keyed_drops_.emplace_back(e.key, i);
      }
    }
    std::sort(keyless_evictions_.begin(), keyless_evictions_.end());
    std::sort(keyed_drops_.begin(), keyed_drops_.end());
  }

  // The SET op index that `value` names if it is a usable SET on `key`, else kNoRef.
  std::uint32_t SetOf(std::string_view value, std::string_view key) const {
    auto it = value_to_set_.find(value);
    if (it == value_to_set_.end()) return kNoRef;
    const Operation& w = h_.ops[it->second];
    if (w.key != key || w.outcome == OpOutcome::kFail) return kNoRef;
    return it->second;
  }

  void CheckKey(const std::vector<std::uint32_t>& ops) {
    const std::string& key = h_.ops[ops.front()].key;

    // SETs of this key and the latest moment each can have taken effect.
    std::vector<std::uint32_t> sets;
    std::vector<TimeMs> latest;  // by local set index
    for (std::uint32_t i : ops) {
      const Operation& op = h_.ops[i];
      if (op.kind != OpKind::kSet || op.outcome == OpOutcome::kFail) continue;
      set_local_[i] = static_cast<std::uint32_t>(sets.size());
      sets.push_back(i);
      latest.push_back(op.outcome == OpOutcome::kOk ? op.complete_at : kInf);
    }

    // Reads: name the write, flag impossible sources, narrow each write's latest point.
    std::vector<std::pair<std::uint32_t, std::uint32_t>> reads;  // (GET op, SET op)
    std::vector<std::uint32_t> misses;
    for (std::uint32_t i : ops) {
      const Operation& g = h_.ops[i];
      if (g.kind != OpKind::kGet || g.outcome != OpOutcome::kOk) continue;
      if (!g.found) {
        ++result_.stats.reads_missed;
        misses.push_back(i);
        continue;
      }
      ++result_.stats.reads_found;
      auto it = value_to_set_.find(g.value);
      if (it == value_to_set_.end()) {
        Report(key, ViolationKind::kValueFromNowhere, {g.id},
               absl::StrCat(Describe(g), " returned '", g.value, "', which no SET ever wrote"));
        continue;
      }
      const Operation& w = h_.ops[it->second];
      if (w.key != key) {
        Report(key, ViolationKind::kValueFromOtherKey, {g.id, w.id},
               absl::StrCat(Describe(g), " returned '", g.value, "', written by ", Describe(w),
                            " to key '", w.key, "'"));
        continue;
      }
      if (w.outcome == OpOutcome::kFail) {
        Report(key, ViolationKind::kReadOfFailedWrite, {g.id, w.id},
               absl::StrCat(Describe(g), " returned the value of ", Describe(w),
                            ", which definitely failed"));
        continue;
      }
      if (w.invoke_at > g.complete_at) {
        Report(key, ViolationKind::kValueFromFuture, {g.id, w.id},
               absl::StrCat(Describe(g), " returned the value of ", Describe(w),
                            ", which was invoked only after the GET completed"));
        continue;
      }
      reads.emplace_back(i, it->second);
      TimeMs& l = latest[set_local_[it->second]];
      l = std::min(l, g.complete_at);
    }

    // Blockers. Families: a SET and the GETs that read it share the SET's family.
    std::vector<Blocker> blockers;
    PrefixTop2 read_blockers;  // SETs, DELs, value GETs: keyed by completion, valued by invoke
    PrefixTop2 miss_blockers;  // SETs, value GETs
    std::uint64_t fam_own = kFamOwnBase;
    auto add_blocker = [&](TimeMs invoke, TimeMs complete, std::uint64_t fam, Blocker b,
                           bool blocks_misses) {
      const Item item{invoke, fam, static_cast<std::uint32_t>(blockers.size())};
      blockers.push_back(b);
      read_blockers.Add(complete, item);
      if (blocks_misses) miss_blockers.Add(complete, item);
    };
    for (std::uint32_t s = 0; s < sets.size(); ++s) {
      if (latest[s] >= kInf) continue;  // may never have happened
      add_blocker(h_.ops[sets[s]].invoke_at, latest[s], s, Blocker{sets[s]}, true);
    }
    for (std::uint32_t i : ops) {
      const Operation& d = h_.ops[i];
      if (d.kind == OpKind::kDel && d.outcome == OpOutcome::kOk) {
        add_blocker(d.invoke_at, d.complete_at, fam_own++, Blocker{i}, false);
      }
    }
    for (const auto& [g, w] : reads) {
      add_blocker(h_.ops[g].invoke_at, h_.ops[g].complete_at, set_local_[w], Blocker{g, w}, true);
    }
    read_blockers.Build();
    miss_blockers.Build();

    CheckReads(key, sets, latest, reads, blockers, read_blockers);
    if (options_.check_lost_writes && !misses.empty()) {
      CheckMisses(key, ops, sets, latest, misses, blockers, miss_blockers, fam_own);
    }
    for (std::uint32_t i : sets) set_local_[i] = kNoRef;
  }

  void CheckReads(const std::string& key, const std::vector<std::uint32_t>& sets,
                  const std::vector<TimeMs>& latest,
                  const std::vector<std::pair<std::uint32_t, std::uint32_t>>& reads,
                  const std::vector<Blocker>& blockers, const PrefixTop2& read_blockers) {
    for (const auto& [gi, wi] : reads) {
      const Operation& g = h_.ops[gi];
      const Operation& w = h_.ops[wi];
      const std::uint32_t s = set_local_[wi];
      const Item x = read_blockers.Upto(g.invoke_at, false).BestExcluding(s);
      if (x.ref != kNoRef && x.val > latest[s]) {
        const Blocker& b = blockers[x.ref];
        const Operation& xo = h_.ops[b.op];
        const std::string w_point =
            latest[s] == w.complete_at && w.outcome == OpOutcome::kOk
                ? absl::StrCat("completed at ", latest[s])
                : absl::StrCat("was read by a GET that completed at ", latest[s]);
        if (xo.kind == OpKind::kDel) {
          Report(key, ViolationKind::kResurrectedAfterDelete, {g.id, w.id, xo.id},
                 absl::StrCat(Describe(g), " returned the value of ", Describe(w), ", but ",
                              Describe(xo), " deleted the key after that write (which ", w_point,
                              ") and before the GET began"));
        } else if (xo.kind == OpKind::kSet) {
          Report(key, ViolationKind::kStaleRead, {g.id, w.id, xo.id},
                 absl::StrCat(Describe(g), " returned the stale value of ", Describe(w),
                              ": the newer ", Describe(xo), " took effect after that write (which ",
                              w_point, ") and before the GET began"));
        } else {
          const Operation& xw = h_.ops[b.set_op];
          Report(key, ViolationKind::kNonMonotonicRead, {g.id, w.id, xo.id, xw.id},
                 absl::StrCat(Describe(g), " returned the value of ", Describe(w),
                              ", but the earlier ", Describe(xo), " already returned '", xo.value,
                              "' and began after that write (which ", w_point, ")"));
        }
      }
      if (w.outcome == OpOutcome::kOk && w.ttl_ms > 0 &&
          g.invoke_at > w.complete_at + w.ttl_ms + skew2_ + limits::kCheckerExpirySlackMs) {
        Report(key, ViolationKind::kExpiredValue, {g.id, w.id},
               absl::StrCat(Describe(g), " returned the value of ", Describe(w),
                            ", whose TTL had run out by ", w.complete_at + w.ttl_ms, " (+", skew2_,
                            " ms for clock skew)"));
      } else if (w.expire_at > 0 &&
                 g.invoke_at > w.expire_at + skew2_ + limits::kCheckerExpirySlackMs) {
        // An absolute expiry holds whenever the write took effect (applied later, it is gone
        // at once), so the outcome does not matter.
        Report(
            key, ViolationKind::kExpiredValue, {g.id, w.id},
            absl::StrCat(Describe(g), " returned the value of ", Describe(w), ", which expired at ",
                         w.expire_at, " (+", skew2_, " ms for clock skew)"));
      }
    }
    (void)sets;
  }

  void CheckMisses(const std::string& key, const std::vector<std::uint32_t>& ops,
                   const std::vector<std::uint32_t>& sets, const std::vector<TimeMs>& latest,
                   const std::vector<std::uint32_t>& misses, const std::vector<Blocker>& blockers,
                   const PrefixTop2& miss_blockers, std::uint64_t fam_own) {
    // Absent events of this key.
    std::vector<Absent> absent;
    for (std::uint32_t i : ops) {
      const Operation& op = h_.ops[i];
      if (op.outcome == OpOutcome::kFail) continue;
      if (op.kind == OpKind::kDel) {
        absent.push_back(
            {op.invoke_at, op.outcome == OpOutcome::kOk ? op.complete_at : kInf, fam_own++});
      } else if (op.kind == OpKind::kSet && (op.ttl_ms > 0 || op.expire_at > 0 || op.keep_ttl)) {
        const std::uint32_t s = set_local_[i];
        // The earliest moment the value may have expired: a relative TTL from the invocation, an
        // absolute one as given, and an inherited one (KEEPTTL) at any time.
        TimeMs lo = op.invoke_at;
        if (op.ttl_ms > 0) {
          lo = std::max(lo, op.invoke_at + op.ttl_ms - skew2_ - limits::kCheckerExpirySlackMs);
        } else if (op.expire_at > 0) {
          lo = std::max(lo, op.expire_at - skew2_ - limits::kCheckerExpirySlackMs);
        }
        absent.push_back({lo, latest[s], s});
      }
    }
    // Evictions: a node lost its copy; only an acknowledged SET (applied on every in-sync
    // replica) surely gives it back, so reads do not cancel an eviction's excuse.
    std::vector<TimeMs> evictions = keyless_evictions_;
    auto drop = std::lower_bound(keyed_drops_.begin(), keyed_drops_.end(),
                                 std::pair<std::string_view, std::uint32_t>(key, 0));
    for (; drop != keyed_drops_.end() && drop->first == key; ++drop) {
      const WorldEvent& e = h_.world[drop->second];
      if (e.kind == WorldEvent::Kind::kEvicted) {
        evictions.push_back(e.at);
        continue;
      }
      const std::uint32_t w = SetOf(e.value, key);
      if (w == kNoRef) {
        // No live node holds the key at all: a register-level drop.
        absent.push_back({e.at, e.at, fam_own++});
      } else {
        // The value was still held at e.at, so its write took effect by then.
        const std::uint32_t s = set_local_[w];
        const TimeMs lo = std::max(e.at, h_.ops[w].invoke_at);
        absent.push_back({lo, std::min(latest[s], lo), s});
      }
    }
    std::sort(evictions.begin(), evictions.end());
    // Acknowledged SETs by completion, with the running maximum of their invocation.
    std::vector<std::pair<TimeMs, TimeMs>> acked;
    for (std::uint32_t i : sets) {
      const Operation& w = h_.ops[i];
      if (w.outcome == OpOutcome::kOk) acked.emplace_back(w.complete_at, w.invoke_at);
    }
    std::sort(acked.begin(), acked.end());
    for (std::size_t i = 1; i < acked.size(); ++i) {
      acked[i].second = std::max(acked[i].second, acked[i - 1].second);
    }

    // Case "absent event begins before the GET": p = GET invoke; prefix over lo.
    PrefixTop2 by_lo;
    // Per family (SET) lists, for when the best blocker belongs to that family.
    std::vector<std::vector<std::pair<TimeMs, TimeMs>>> fam_lists(sets.size());
    // Case "absent event begins inside the GET": p = lo; precomputed per event.
    std::vector<TimeMs> good_lo;
    for (const Absent& a : absent) {
      by_lo.Add(a.lo, Item{a.b, a.fam, 0});
      if (a.fam < sets.size()) fam_lists[a.fam].emplace_back(a.lo, a.b);
      const Item x = miss_blockers.Upto(a.lo, false).BestExcluding(a.fam);
      if (x.val <= a.b) good_lo.push_back(a.lo);
    }
    by_lo.Build();
    for (auto& list : fam_lists) {
      std::sort(list.begin(), list.end());
      for (std::size_t i = 1; i < list.size(); ++i) {
        list[i].second = std::max(list[i].second, list[i - 1].second);
      }
    }
    std::sort(good_lo.begin(), good_lo.end());

    for (std::uint32_t gi : misses) {
      const Operation& g = h_.ops[gi];
      const Top2 t = miss_blockers.Upto(g.invoke_at, false);
      if (t.first.ref == kNoRef) continue;  // nothing definitely written yet
      bool excused = false;
      // Absent events that began by the GET's invocation.
      const Top2 a = by_lo.Upto(g.invoke_at, true);
      if (a.BestExcluding(t.first.fam).val >= t.first.val) excused = true;
      if (!excused && t.first.fam < sets.size()) {
        const auto& list = fam_lists[t.first.fam];
        auto it = std::upper_bound(list.begin(), list.end(),
                                   std::pair<TimeMs, TimeMs>(g.invoke_at, kInf));
        if (it != list.begin() && std::prev(it)->second >= t.second.val) excused = true;
      }
      if (!excused) {
        auto it = std::upper_bound(evictions.begin(), evictions.end(), g.invoke_at);
        if (it != evictions.begin()) {
          // The last acknowledged SET that completed before the GET began, if any.
          auto ack = std::lower_bound(acked.begin(), acked.end(),
                                      std::pair<TimeMs, TimeMs>(g.invoke_at, kNegInf));
          const TimeMs ack_invoke_max = ack == acked.begin() ? kNegInf : std::prev(ack)->second;
          if (*std::prev(it) >= ack_invoke_max) excused = true;
        }
      }
      // Absent events that began while the GET ran.
      if (!excused) {
        excused = AnyIn(good_lo, g.invoke_at, g.complete_at) ||
                  AnyIn(evictions, g.invoke_at, g.complete_at);
      }
      if (excused) {
        ++result_.stats.misses_excused;
        continue;
      }
      const Blocker& b = blockers[t.first.ref];
      const Operation& xo = h_.ops[b.op];
      if (xo.kind == OpKind::kSet) {
        Report(key, ViolationKind::kLostWrite, {g.id, xo.id},
               absl::StrCat(Describe(g), " found nothing, but ", Describe(xo),
                            " took effect before the GET began, and no DEL, eviction, loss of "
                            "every copy or TTL expiry can explain the miss"));
      } else {
        const Operation& w = h_.ops[b.set_op];
        Report(key, ViolationKind::kLostWrite, {g.id, xo.id, w.id},
               absl::StrCat(Describe(g), " found nothing, but the earlier ", Describe(xo),
                            " returned the value of ", Describe(w),
                            ", and no DEL, eviction, loss of every copy or TTL expiry can explain "
                            "the miss"));
      }
    }
  }

  // Whether sorted `times` holds a value in (lo, hi].
  static bool AnyIn(const std::vector<TimeMs>& times, TimeMs lo, TimeMs hi) {
    auto it = std::upper_bound(times.begin(), times.end(), lo);
    return it != times.end() && *it <= hi;
  }

  const History& h_;
  const std::size_t original_ops_;
  const CheckOptions& options_;
  const TimeMs skew2_;
  CheckResult result_;
  absl::flat_hash_map<std::string_view, std::uint32_t> value_to_set_;  // lookups only
  std::vector<TimeMs> keyless_evictions_;  // kEvicted (or kAllCopiesLost) with an empty key
  std::vector<std::pair<std::string_view, std::uint32_t>> keyed_drops_;  // (key, world index)
  std::vector<std::uint32_t> set_local_;  // op index -> local SET index while its key is checked
};

const char* OutcomeName(OpOutcome outcome) {
  switch (outcome) {
    case OpOutcome::kPending:
      return "pending";
    case OpOutcome::kOk:
      return "ok";
    case OpOutcome::kFail:
      return "fail";
    case OpOutcome::kUnknown:
      return "unknown";
  }
  return "?";
}

}  // namespace

const char* ViolationKindName(ViolationKind kind) {
  switch (kind) {
    case ViolationKind::kStaleRead:
      return "stale_read";
    case ViolationKind::kLostWrite:
      return "lost_write";
    case ViolationKind::kResurrectedAfterDelete:
      return "resurrected_after_delete";
    case ViolationKind::kExpiredValue:
      return "expired_value";
    case ViolationKind::kValueFromNowhere:
      return "value_from_nowhere";
    case ViolationKind::kValueFromOtherKey:
      return "value_from_other_key";
    case ViolationKind::kValueFromFuture:
      return "value_from_future";
    case ViolationKind::kReadOfFailedWrite:
      return "read_of_failed_write";
    case ViolationKind::kNonMonotonicRead:
      return "non_monotonic_read";
    case ViolationKind::kMalformedHistory:
      return "malformed_history";
  }
  return "unknown";
}

CheckResult CheckHistory(const History& history, const CheckOptions& options) {
  bool conditional = false;
  for (const Operation& op : history.ops) {
    conditional = conditional || (op.kind == OpKind::kSet && op.condition != SetCondition::kNone);
  }
  if (!conditional) return Checker(history, history.ops.size(), options).Run();
  // Conditional writes become what they tell: a refused one definitely did not take effect (a
  // failed SET for every rule); one that found the key absent (NX written, XX refused) is also a
  // miss observed inside its window, judged like a GET that found nothing.
  History normalized = history;
  for (const Operation& op : history.ops) {
    if (op.kind != OpKind::kSet || op.condition == SetCondition::kNone ||
        op.outcome != OpOutcome::kOk) {
      continue;
    }
    const bool found_absent = op.condition == SetCondition::kNx ? op.written : !op.written;
    if (!found_absent) continue;
    Operation miss = op;
    miss.kind = OpKind::kGet;
    miss.found = false;
    miss.written = true;
    normalized.ops.push_back(std::move(miss));
  }
  for (std::size_t i = 0; i < history.ops.size(); ++i) {
    Operation& op = normalized.ops[i];
    if (op.kind == OpKind::kSet && op.outcome == OpOutcome::kOk && !op.written) {
      op.outcome = OpOutcome::kFail;
    }
  }
  return Checker(normalized, history.ops.size(), options).Run();
}

std::string FormatKeyOps(const History& history, std::string_view key, TimeMs from, TimeMs to,
                         const std::vector<std::uint64_t>& marked) {
  // (time, tie-breaker, line)
  std::vector<std::pair<std::pair<TimeMs, std::uint64_t>, std::string>> lines;
  char buf[96];
  for (const Operation& op : history.ops) {
    if (op.key != key) continue;
    const bool completed = IsCompleted(op);
    const TimeMs end = completed ? op.complete_at : op.invoke_at;
    if (end < from || op.invoke_at > to) continue;
    const bool mark = std::find(marked.begin(), marked.end(), op.id) != marked.end();
    if (completed) {
      std::snprintf(buf, sizeof buf, "%c [%9lld..%9lld] ", mark ? '*' : ' ',
                    static_cast<long long>(op.invoke_at), static_cast<long long>(op.complete_at));
    } else {
      std::snprintf(buf, sizeof buf, "%c [%9lld..        ?] ", mark ? '*' : ' ',
                    static_cast<long long>(op.invoke_at));
    }
    std::string line = absl::StrCat(buf, "#", op.id, " c", op.client);
    if (op.node != kNoNode) absl::StrAppend(&line, " n", op.node);
    switch (op.kind) {
      case OpKind::kGet:
        absl::StrAppend(&line, " GET -> ");
        if (op.outcome != OpOutcome::kOk) {
          absl::StrAppend(&line, OutcomeName(op.outcome));
        } else if (op.found) {
          absl::StrAppend(&line, "'", op.value, "'");
        } else {
          absl::StrAppend(&line, "(nil)");
        }
        break;
      case OpKind::kSet:
        absl::StrAppend(&line, " SET '", op.value, "'");
        if (op.condition == SetCondition::kNx) absl::StrAppend(&line, " NX");
        if (op.condition == SetCondition::kXx) absl::StrAppend(&line, " XX");
        if (op.ttl_ms > 0) absl::StrAppend(&line, " ttl=", op.ttl_ms);
        if (op.expire_at > 0) absl::StrAppend(&line, " expire_at=", op.expire_at);
        if (op.keep_ttl) absl::StrAppend(&line, " keepttl");
        absl::StrAppend(
            &line, " -> ",
            op.outcome == OpOutcome::kOk && !op.written ? "refused" : OutcomeName(op.outcome));
        break;
      case OpKind::kDel:
        absl::StrAppend(&line, " DEL -> ", OutcomeName(op.outcome));
        break;
    }
    lines.push_back({{op.invoke_at, op.id}, std::move(line)});
  }
  std::uint64_t seq = 0;
  for (const WorldEvent& e : history.world) {
    ++seq;
    const bool timeline =
        e.kind == WorldEvent::Kind::kCrash || e.kind == WorldEvent::Kind::kRestart;
    if (!timeline && !e.key.empty() && e.key != key) continue;
    if (e.at < from || e.at > to) continue;
    std::snprintf(buf, sizeof buf, "  @%9lld             ", static_cast<long long>(e.at));
    std::string line = absl::StrCat(buf, "world: node ", e.node, " ");
    switch (e.kind) {
      case WorldEvent::Kind::kEvicted:
        absl::StrAppend(&line, e.key.empty() ? "evicted some key" : "evicted the key");
        break;
      case WorldEvent::Kind::kAllCopiesLost:
        absl::StrAppend(&line, "crashed holding the last copy of ",
                        e.value.empty() ? std::string("the key") : absl::StrCat("'", e.value, "'"));
        break;
      case WorldEvent::Kind::kCrash:
        absl::StrAppend(&line, "crashed");
        break;
      case WorldEvent::Kind::kRestart:
        absl::StrAppend(&line, "restarted");
        break;
    }
    // World events sort after ops invoked at the same time.
    lines.push_back({{e.at, UINT64_MAX - history.world.size() + seq}, std::move(line)});
  }
  std::stable_sort(lines.begin(), lines.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });
  std::string out;
  for (const auto& l : lines) absl::StrAppend(&out, l.second, "\n");
  return out;
}

std::string FormatViolation(const History& history, const Violation& violation, TimeMs margin_ms) {
  TimeMs from = INT64_MAX;
  TimeMs to = INT64_MIN;
  for (const Operation& op : history.ops) {
    if (std::find(violation.op_ids.begin(), violation.op_ids.end(), op.id) ==
        violation.op_ids.end()) {
      continue;
    }
    from = std::min(from, op.invoke_at);
    to = std::max(to, IsCompleted(op) ? op.complete_at : op.invoke_at);
  }
  std::string out = absl::StrCat(ViolationKindName(violation.kind), " on key '", violation.key,
                                 "': ", violation.explanation, "\n");
  if (from <= to) {
    absl::StrAppend(
        &out, "operations on '", violation.key, "' from ", from - margin_ms, " to ", to + margin_ms,
        " (* = offending):\n",
        FormatKeyOps(history, violation.key, from - margin_ms, to + margin_ms, violation.op_ids));
  }
  return out;
}

}  // namespace shoal::sim
