#include "sim/history_json.h"

#include <cstdint>
#include <map>
#include <memory>
#include <vector>

namespace shoal::sim {
namespace {

// --- Writing -------------------------------------------------------------------------------------

void PutString(std::string& out, std::string_view s) {
  static constexpr char kHex[] = "0123456789abcdef";
  out.push_back('"');
  for (unsigned char c : s) {
    if (c == '"' || c == '\\') {
      out.push_back('\\');
      out.push_back(static_cast<char>(c));
    } else if (c < 0x20 || c >= 0x7f) {
      out += "\\u00";
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 15]);
    } else {
      out.push_back(static_cast<char>(c));
    }
  }
  out.push_back('"');
}

void PutField(std::string& out, std::string_view name, bool& first) {
  if (!first) out += ", ";
  first = false;
  PutString(out, name);
  out += ": ";
}

const char* ResultOf(const Operation& op) {
  switch (op.outcome) {
    case OpOutcome::kOk:
      if (op.kind == OpKind::kGet && !op.found) return "miss";
      if (op.kind == OpKind::kSet && !op.written) return "fail";
      return "ok";
    case OpOutcome::kFail:
      return "fail";
    case OpOutcome::kUnknown:
    case OpOutcome::kPending:
      return "unknown";
  }
  return "unknown";
}

// --- Reading: a small JSON value parser (objects, arrays, strings, integers, true/false/null) --

struct Value {
  enum class Type : std::uint8_t { kNull, kBool, kInt, kString, kArray, kObject };
  Type type = Type::kNull;
  bool boolean = false;
  std::int64_t integer = 0;
  std::string string;
  std::vector<Value> array;
  std::map<std::string, Value> object;
};

class Parser {
 public:
  explicit Parser(std::string_view s) : s_(s) {}
  bool ParseDocument(Value& out) {
    if (!ParseValue(out, 0)) return false;
    SkipSpace();
    return pos_ == s_.size();
  }

 private:
  static constexpr int kDepthMax = 16;
  void SkipSpace() {
    while (pos_ < s_.size() && (s_[pos_] == ' ' || s_[pos_] == '\t' || s_[pos_] == '\r')) ++pos_;
  }
  bool Literal(std::string_view word) {
    if (s_.substr(pos_, word.size()) != word) return false;
    pos_ += word.size();
    return true;
  }
  bool ParseValue(Value& out, int depth) {
    if (depth > kDepthMax) return false;
    SkipSpace();
    if (pos_ >= s_.size()) return false;
    const char c = s_[pos_];
    if (c == '{') return ParseObject(out, depth);
    if (c == '[') return ParseArray(out, depth);
    if (c == '"') {
      out.type = Value::Type::kString;
      return ParseString(out.string);
    }
    if (c == 'n') return Literal("null");
    if (c == 't' || c == 'f') {
      out.type = Value::Type::kBool;
      out.boolean = c == 't';
      return Literal(c == 't' ? "true" : "false");
    }
    return ParseInt(out);
  }
  bool ParseInt(Value& out) {
    out.type = Value::Type::kInt;
    bool negative = false;
    if (pos_ < s_.size() && s_[pos_] == '-') {
      negative = true;
      ++pos_;
    }
    const std::size_t start = pos_;
    std::uint64_t v = 0;
    while (pos_ < s_.size() && s_[pos_] >= '0' && s_[pos_] <= '9') {
      if (v > (UINT64_MAX - 9) / 10) return false;
      v = v * 10 + static_cast<std::uint64_t>(s_[pos_] - '0');
      ++pos_;
    }
    if (pos_ == start || v > static_cast<std::uint64_t>(INT64_MAX)) return false;
    out.integer = negative ? -static_cast<std::int64_t>(v) : static_cast<std::int64_t>(v);
    return true;
  }
  bool ParseString(std::string& out) {
    ++pos_;  // opening quote
    while (pos_ < s_.size()) {
      const char c = s_[pos_++];
      if (c == '"') return true;
      if (c != '\\') {
        out.push_back(c);
        continue;
      }
      if (pos_ >= s_.size()) return false;
      const char e = s_[pos_++];
      switch (e) {
        case '"':
        case '\\':
        case '/':
          out.push_back(e);
          break;
        case 'n':
          out.push_back('\n');
          break;
        case 't':
          out.push_back('\t');
          break;
        case 'r':
          out.push_back('\r');
          break;
        case 'u': {
          if (pos_ + 4 > s_.size()) return false;
          unsigned code = 0;
          for (int i = 0; i < 4; ++i) {
            const char h = s_[pos_++];
            code <<= 4;
            if (h >= '0' && h <= '9') {
              code |= static_cast<unsigned>(h - '0');
            } else if (h >= 'a' && h <= 'f') {
              code |= static_cast<unsigned>(h - 'a' + 10);
            } else if (h >= 'A' && h <= 'F') {
              code |= static_cast<unsigned>(h - 'A' + 10);
            } else {
              return false;
            }
          }
          if (code > 0xff) return false;  // we only ever write bytes
          out.push_back(static_cast<char>(code));
          break;
        }
        default:
          return false;
      }
    }
    return false;
  }
  bool ParseArray(Value& out, int depth) {
    out.type = Value::Type::kArray;
    ++pos_;
    SkipSpace();
    if (pos_ < s_.size() && s_[pos_] == ']') {
      ++pos_;
      return true;
    }
    for (;;) {
      out.array.emplace_back();
      if (!ParseValue(out.array.back(), depth + 1)) return false;
      SkipSpace();
      if (pos_ >= s_.size()) return false;
      if (s_[pos_] == ']') {
        ++pos_;
        return true;
      }
      if (s_[pos_++] != ',') return false;
    }
  }
  bool ParseObject(Value& out, int depth) {
    out.type = Value::Type::kObject;
    ++pos_;
    SkipSpace();
    if (pos_ < s_.size() && s_[pos_] == '}') {
      ++pos_;
      return true;
    }
    for (;;) {
      SkipSpace();
      if (pos_ >= s_.size() || s_[pos_] != '"') return false;
      std::string name;
      if (!ParseString(name)) return false;
      SkipSpace();
      if (pos_ >= s_.size() || s_[pos_++] != ':') return false;
      Value v;
      if (!ParseValue(v, depth + 1)) return false;
      out.object[std::move(name)] = std::move(v);
      SkipSpace();
      if (pos_ >= s_.size()) return false;
      if (s_[pos_] == '}') {
        ++pos_;
        return true;
      }
      if (s_[pos_++] != ',') return false;
    }
  }

  std::string_view s_;
  std::size_t pos_ = 0;
};

const Value* Member(const Value& object, const char* name) {
  auto it = object.object.find(name);
  return it == object.object.end() ? nullptr : &it->second;
}

}  // namespace

std::string HistoryToJsonLines(const History& history) {
  std::string out;
  for (const Operation& op : history.ops) {
    bool first = true;
    out += "{";
    PutField(out, "client", first);
    out += std::to_string(op.client);
    PutField(out, "key", first);
    PutString(out, op.key);
    PutField(out, "op", first);
    PutString(out, op.kind == OpKind::kGet ? "get" : op.kind == OpKind::kSet ? "set" : "del");
    PutField(out, "value", first);
    if (op.kind == OpKind::kSet) {
      PutString(out, op.value);
    } else {
      out += "null";
    }
    PutField(out, "ttl_ms", first);
    out += op.kind == OpKind::kSet && op.ttl_ms > 0 ? std::to_string(op.ttl_ms) : "null";
    PutField(out, "invoke_us", first);
    out += std::to_string(op.invoke_at * 1000);
    PutField(out, "complete_us", first);
    out += op.outcome == OpOutcome::kPending ? "null" : std::to_string(op.complete_at * 1000);
    PutField(out, "result", first);
    PutString(out, ResultOf(op));
    PutField(out, "read_value", first);
    if (op.kind == OpKind::kGet && op.outcome == OpOutcome::kOk && op.found) {
      PutString(out, op.value);
    } else {
      out += "null";
    }
    PutField(out, "id", first);
    out += std::to_string(op.id);
    if (op.condition != SetCondition::kNone) {
      PutField(out, "condition", first);
      PutString(out, op.condition == SetCondition::kNx ? "nx" : "xx");
      if (op.outcome == OpOutcome::kOk && !op.written) {
        PutField(out, "refused", first);
        out += "true";
      }
    }
    if (op.expire_at > 0) {
      PutField(out, "expire_at_us", first);
      out += std::to_string(op.expire_at * 1000);
    }
    if (op.keep_ttl) {
      PutField(out, "keepttl", first);
      out += "true";
    }
    out += "}\n";
  }
  std::string lost;
  std::string evicted;
  std::uint64_t evictions = 0;
  for (const WorldEvent& e : history.world) {
    if (e.kind == WorldEvent::Kind::kAllCopiesLost) {
      if (!lost.empty()) lost += ", ";
      lost += "{\"key\": ";
      PutString(lost, e.key);
      lost += ", \"at_us\": " + std::to_string(e.at * 1000) + ", \"value\": ";
      PutString(lost, e.value);
      lost += "}";
    } else if (e.kind == WorldEvent::Kind::kEvicted) {
      evictions++;
      if (!evicted.empty()) evicted += ", ";
      evicted += "{\"key\": ";
      PutString(evicted, e.key);
      evicted += ", \"node\": " + std::to_string(e.node) +
                 ", \"at_us\": " + std::to_string(e.at * 1000) + "}";
    }
  }
  out += "{\"meta\": {\"clock_skew_bound_ms\": " + std::to_string(history.clock_skew_bound_ms) +
         ", \"evictions\": " + std::to_string(evictions) + ", \"all_copies_lost\": [" + lost +
         "], \"evicted\": [" + evicted + "]}}\n";
  return out;
}

Result<History> HistoryFromJsonLines(std::string_view text, std::string& error) {
  History h;
  std::size_t line_no = 0;
  bool meta_seen = false;
  auto fail = [&](const std::string& what) {
    error = "line " + std::to_string(line_no) + ": " + what;
    return make_error_code(Error::kProtocol);
  };
  std::uint64_t next_id = 0;
  while (!text.empty()) {
    const std::size_t nl = text.find('\n');
    std::string_view line = text.substr(0, nl);
    text.remove_prefix(nl == std::string_view::npos ? text.size() : nl + 1);
    ++line_no;
    if (line.find_first_not_of(" \t\r") == std::string_view::npos) continue;
    if (meta_seen) return fail("nothing may follow the meta line");
    Value v;
    if (!Parser(line).ParseDocument(v) || v.type != Value::Type::kObject) {
      return fail("not a JSON object");
    }
    auto str = [&](const char* name, bool nullable, std::string& out, bool& is_null) {
      const Value* m = Member(v, name);
      is_null = m == nullptr || m->type == Value::Type::kNull;
      if (is_null) return nullable;
      if (m->type != Value::Type::kString) return false;
      out = m->string;
      return true;
    };
    auto num = [&](const Value& obj, const char* name, bool nullable, std::int64_t& out,
                   bool& is_null) {
      const Value* m = Member(obj, name);
      is_null = m == nullptr || m->type == Value::Type::kNull;
      if (is_null) return nullable;
      if (m->type != Value::Type::kInt) return false;
      out = m->integer;
      return true;
    };
    if (const Value* meta = Member(v, "meta")) {
      meta_seen = true;
      std::int64_t skew = 0;
      bool is_null = false;
      if (meta->type != Value::Type::kObject ||
          !num(*meta, "clock_skew_bound_ms", false, skew, is_null)) {
        return fail("meta needs clock_skew_bound_ms");
      }
      h.clock_skew_bound_ms = skew;
      for (const char* list : {"all_copies_lost", "evicted"}) {
        const Value* items = Member(*meta, list);
        if (items == nullptr) continue;
        if (items->type != Value::Type::kArray) return fail(std::string(list) + " is no array");
        for (const Value& item : items->array) {
          std::int64_t at_us = 0;
          std::int64_t node = 0;
          const Value* key = Member(item, "key");
          if (key == nullptr || key->type != Value::Type::kString ||
              !num(item, "at_us", false, at_us, is_null)) {
            return fail(std::string(list) + " entries need key and at_us");
          }
          WorldEvent w;
          w.kind = list[0] == 'a' ? WorldEvent::Kind::kAllCopiesLost : WorldEvent::Kind::kEvicted;
          w.at = at_us / 1000;
          w.key = key->string;
          if (num(item, "node", true, node, is_null) && !is_null) {
            w.node = static_cast<std::uint32_t>(node);
          }
          const Value* value = Member(item, "value");
          if (value != nullptr && value->type == Value::Type::kString) w.value = value->string;
          h.world.push_back(std::move(w));
        }
      }
      continue;
    }
    Operation op;
    std::string kind;
    std::string result;
    std::string value;
    std::string read_value;
    std::int64_t client = 0;
    std::int64_t ttl = 0;
    std::int64_t invoke_us = 0;
    std::int64_t complete_us = 0;
    std::int64_t id = 0;
    bool value_null = false;
    bool read_null = false;
    bool ttl_null = false;
    bool complete_null = false;
    bool is_null = false;
    bool key_null = false;
    if (!num(v, "client", false, client, is_null) || client < 0) return fail("bad client");
    if (!str("key", false, op.key, key_null)) return fail("bad key");
    if (!str("op", false, kind, is_null)) return fail("bad op");
    if (!str("value", true, value, value_null)) return fail("bad value");
    if (!num(v, "ttl_ms", true, ttl, ttl_null) || ttl < 0) return fail("bad ttl_ms");
    if (!num(v, "invoke_us", false, invoke_us, is_null)) return fail("bad invoke_us");
    if (!num(v, "complete_us", true, complete_us, complete_null)) return fail("bad complete_us");
    if (!str("result", false, result, is_null)) return fail("bad result");
    if (!str("read_value", true, read_value, read_null)) return fail("bad read_value");
    op.client = static_cast<std::uint32_t>(client);
    op.invoke_at = invoke_us / 1000;
    op.complete_at = complete_null ? 0 : complete_us / 1000;
    if (num(v, "id", true, id, is_null) && !is_null) {
      op.id = static_cast<std::uint64_t>(id);
    } else {
      op.id = next_id;
    }
    next_id = op.id + 1;
    if (kind == "get") {
      op.kind = OpKind::kGet;
    } else if (kind == "set") {
      op.kind = OpKind::kSet;
      if (value_null) return fail("a set needs its value");
      op.value = value;
      op.ttl_ms = ttl_null ? 0 : ttl;
    } else if (kind == "del") {
      op.kind = OpKind::kDel;
    } else {
      return fail("op must be get, set or del");
    }
    if (result == "ok") {
      op.outcome = OpOutcome::kOk;
      if (op.kind == OpKind::kGet) {
        if (read_null) return fail("an ok get needs read_value (a miss is result \"miss\")");
        op.found = true;
        op.value = read_value;
      }
    } else if (result == "miss") {
      if (op.kind != OpKind::kGet) return fail("only a get can miss");
      op.outcome = OpOutcome::kOk;
      op.found = false;
    } else if (result == "fail") {
      op.outcome = OpOutcome::kFail;
    } else if (result == "unknown") {
      op.outcome = complete_null ? OpOutcome::kPending : OpOutcome::kUnknown;
    } else {
      return fail("result must be ok, miss, fail or unknown");
    }
    if (!complete_null && op.complete_at < op.invoke_at) return fail("completes before invoked");
    std::string condition;
    if (str("condition", true, condition, is_null) && !is_null) {
      if (condition != "nx" && condition != "xx") return fail("condition must be nx or xx");
      op.condition = condition == "nx" ? SetCondition::kNx : SetCondition::kXx;
      const Value* refused = Member(v, "refused");
      if (refused != nullptr && refused->type == Value::Type::kBool && refused->boolean) {
        op.outcome = OpOutcome::kOk;  // answered nil: it observed the key, and did nothing
        op.written = false;
      }
    }
    std::int64_t expire_at_us = 0;
    if (num(v, "expire_at_us", true, expire_at_us, is_null) && !is_null) {
      op.expire_at = expire_at_us / 1000;
    }
    const Value* keep = Member(v, "keepttl");
    op.keep_ttl = keep != nullptr && keep->type == Value::Type::kBool && keep->boolean;
    h.ops.push_back(std::move(op));
  }
  if (!meta_seen) {
    ++line_no;
    return fail("the meta line is missing");
  }
  return h;
}

}  // namespace shoal::sim
