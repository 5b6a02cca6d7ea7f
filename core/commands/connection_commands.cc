// Connection commands: PING, ECHO, HELLO, AUTH, QUIT, SELECT, CLIENT *, and the cluster-facing
// READONLY/READWRITE/CLUSTER (only CLUSTER KEYSLOT is served; the rest answer as a standalone
// Redis with cluster support disabled). Texts follow Redis 7.0 (networking.c, acl.c).
#include <cstdint>
#include <optional>
#include <string>

#include "core/commands/command_util.h"
#include "core/commands/handlers.h"
#include "core/limits.h"
#include "core/slot.h"

namespace shoal::commands {
namespace {

constexpr std::string_view kErrClientName =
    "ERR Client names cannot contain spaces, newlines or special characters.";

// Redis's validateClientName: printable ASCII without spaces ('!'..'~'); empty is allowed.
bool ValidAttribute(std::string_view name) {
  for (char c : name) {
    if (c < '!' || c > '~') return false;
  }
  return true;
}

// Validates a client name (charset and our length bound); replies and returns false if invalid.
bool CheckClientName(CommandContext& ctx, std::string_view name) {
  if (!ValidAttribute(name)) {
    ctx.reply.Error(kErrClientName);
    return false;
  }
  if (name.size() > limits::kClientNameBytesMax) {
    ctx.reply.Error("ERR Client name is too long (max " +
                    std::to_string(limits::kClientNameBytesMax) + " bytes)");
    return false;
  }
  return true;
}

// Compares without an early exit on the first differing byte, so the time taken does not tell
// an attacker how much of a guessed password was right.
bool ConstantTimeEquals(std::string_view a, std::string_view b) {
  unsigned diff = a.size() == b.size() ? 0u : 1u;
  const std::size_t n = a.size() < b.size() ? a.size() : b.size();
  for (std::size_t i = 0; i < n; ++i) {
    diff |= static_cast<unsigned char>(a[i]) ^ static_cast<unsigned char>(b[i]);
  }
  return diff == 0;
}

// The ACL of a Redis with only the default user: "default" with requirepass (or nopass when
// requirepass is empty, in which case any password is accepted). Marks the session on success.
bool Authenticate(CommandContext& ctx, std::string_view user, std::string_view password) {
  if (user != "default") return false;
  if (!ctx.config.requirepass.empty() && !ConstantTimeEquals(password, ctx.config.requirepass)) {
    return false;
  }
  ctx.session.authenticated = true;
  return true;
}

bool NeedsAuth(const CommandContext& ctx) {
  return !ctx.config.requirepass.empty() && !ctx.session.authenticated;
}

// One CLIENT LIST/INFO line for this session (a subset of Redis's fields, same spelling).
std::string ClientLine(const CommandContext& ctx, std::string_view cmd) {
  const Session& s = ctx.session;
  std::string line = "id=" + std::to_string(s.id);
  line += " addr=" + s.address;
  line += " laddr=" + ctx.config.bind + ":" + std::to_string(ctx.config.port);
  line += " name=" + s.name;
  const TimeMs age_ms = ctx.now > s.connected_at ? ctx.now - s.connected_at : 0;
  line += " age=" + std::to_string(age_ms / 1000);
  line += " flags=N db=0 multi=-1";
  line += " cmd=";
  line += cmd;
  line += " user=default resp=" + std::to_string(static_cast<int>(s.resp));
  line += "\n";
  return line;
}

}  // namespace

void Ping(CommandContext& ctx, CommandArgs argv) {
  if (argv.size() > 2) {
    ReplyWrongArity(ctx, "ping");
    return;
  }
  if (argv.size() == 1) {
    ctx.reply.Simple("PONG");
  } else {
    ctx.reply.Bulk(argv[1]);
  }
}

void Echo(CommandContext& ctx, CommandArgs argv) { ctx.reply.Bulk(argv[1]); }

// HELLO [protover [AUTH username password] [SETNAME clientname]] (Redis's helloCommand).
void Hello(CommandContext& ctx, CommandArgs argv) {
  std::int64_t version = 0;
  std::size_t next = 1;
  if (argv.size() >= 2) {
    const std::optional<std::int64_t> parsed = ParseInt64(argv[next++]);
    if (!parsed) {
      ctx.reply.Error("ERR Protocol version is not an integer or out of range");
      return;
    }
    version = *parsed;
    if (version < 2 || version > 3) {
      ctx.reply.Error("NOPROTO unsupported protocol version");
      return;
    }
  }
  std::optional<std::string_view> user;
  std::optional<std::string_view> password;
  std::optional<std::string_view> name;
  for (std::size_t j = next; j < argv.size(); ++j) {
    const std::size_t more = argv.size() - 1 - j;
    if (EqualsLower(argv[j], "auth") && more >= 2) {
      user = argv[j + 1];
      password = argv[j + 2];
      j += 2;
    } else if (EqualsLower(argv[j], "setname") && more >= 1) {
      if (!CheckClientName(ctx, argv[j + 1])) return;
      name = argv[j + 1];
      j += 1;
    } else {
      std::string message = "ERR Syntax error in HELLO option '";
      message.append(argv[j].substr(0, 128));
      message.append("'");
      ReplyErrorSanitized(ctx, message);
      return;
    }
  }
  if (user && !Authenticate(ctx, *user, *password)) {
    ctx.reply.Error(kErrWrongPass);
    return;
  }
  if (NeedsAuth(ctx)) {
    ctx.reply.Error(
        "NOAUTH HELLO must be called with the client already authenticated, otherwise the "
        "HELLO <proto> AUTH <user> <pass> option can be used to authenticate the client and "
        "select the RESP protocol version at the same time");
    return;
  }
  if (name) ctx.session.name = std::string(*name);
  if (version != 0) ctx.session.resp = static_cast<RespVersion>(version);
  // The reply is already in the new protocol (Redis switches before writing it).
  RespWriter reply(ctx.reply.out(), ctx.session.resp);
  reply.MapHeader(7);
  reply.Bulk("server");
  reply.Bulk("shoal");
  reply.Bulk("version");
  reply.Bulk(kRedisCompatVersion);
  reply.Bulk("proto");
  reply.Integer(static_cast<std::int64_t>(ctx.session.resp));
  reply.Bulk("id");
  reply.Integer(static_cast<std::int64_t>(ctx.session.id));
  reply.Bulk("mode");
  reply.Bulk("standalone");
  reply.Bulk("role");
  reply.Bulk("master");
  reply.Bulk("modules");
  reply.ArrayHeader(0);
}

// AUTH [username] password (Redis's authCommand).
void Auth(CommandContext& ctx, CommandArgs argv) {
  if (argv.size() > 3) {
    ctx.reply.Error(kErrSyntax);
    return;
  }
  std::string_view user = "default";
  std::string_view password;
  if (argv.size() == 2) {
    if (ctx.config.requirepass.empty()) {
      ctx.reply.Error(
          "ERR AUTH <password> called without any password configured for the default user. "
          "Are you sure your configuration is correct?");
      return;
    }
    password = argv[1];
  } else {
    user = argv[1];
    password = argv[2];
  }
  if (Authenticate(ctx, user, password)) {
    ctx.reply.Simple("OK");
  } else {
    ctx.reply.Error(kErrWrongPass);
  }
}

void Quit(CommandContext& ctx, CommandArgs argv) {
  ctx.reply.Simple("OK");
  ctx.close_after_reply = true;
}

void Select(CommandContext& ctx, CommandArgs argv) {
  const std::optional<std::int64_t> index = ParseInt64(argv[1]);
  if (!index || *index < INT32_MIN || *index > INT32_MAX) {
    ctx.reply.Error("ERR invalid DB index");
    return;
  }
  if (*index != 0) {
    ctx.reply.Error("ERR DB index is out of range");
    return;
  }
  ctx.reply.Simple("OK");
}

void ClientSetName(CommandContext& ctx, CommandArgs argv) {
  if (!CheckClientName(ctx, argv[2])) return;
  ctx.session.name = std::string(argv[2]);
  ctx.reply.Simple("OK");
}

void ClientGetName(CommandContext& ctx, CommandArgs argv) {
  if (ctx.session.name.empty()) {
    ctx.reply.Nil();
  } else {
    ctx.reply.Bulk(ctx.session.name);
  }
}

void ClientIdCmd(CommandContext& ctx, CommandArgs argv) {
  ctx.reply.Integer(static_cast<std::int64_t>(ctx.session.id));
}

void ClientInfo(CommandContext& ctx, CommandArgs argv) {
  ctx.reply.Verbatim(ClientLine(ctx, "client|info"));
}

// CLIENT LIST [TYPE normal|master|replica|pubsub] [ID id...]: a Node-level command could list
// every session; the handler sees only its own, so the list is this client's line (or empty when
// a filter excludes it). Enough for tools that look up their own connection.
void ClientList(CommandContext& ctx, CommandArgs argv) {
  bool include = true;
  std::size_t j = 2;
  while (j < argv.size()) {
    if (EqualsLower(argv[j], "type") && j + 1 < argv.size()) {
      const std::string_view type = argv[j + 1];
      if (EqualsLower(type, "normal")) {
      } else if (EqualsLower(type, "master") || EqualsLower(type, "replica") ||
                 EqualsLower(type, "slave") || EqualsLower(type, "pubsub")) {
        include = false;
      } else {
        std::string message = "ERR Unknown client type '";
        message.append(type.substr(0, 128));
        message.append("'");
        ReplyErrorSanitized(ctx, message);
        return;
      }
      j += 2;
    } else if (EqualsLower(argv[j], "id") && j + 1 < argv.size()) {
      bool listed = false;
      for (++j; j < argv.size(); ++j) {
        const std::optional<std::int64_t> id = ParseInt64(argv[j]);
        if (!id || *id <= 0) {
          ctx.reply.Error("ERR Invalid client ID");
          return;
        }
        if (static_cast<std::uint64_t>(*id) == ctx.session.id) listed = true;
      }
      include = include && listed;
    } else {
      ctx.reply.Error(kErrSyntax);
      return;
    }
  }
  ctx.reply.Verbatim(include ? ClientLine(ctx, "client|list") : std::string());
}

// CLIENT SETINFO LIB-NAME|LIB-VER value (Redis 7.2; redis-py 5 sends it on connect). Validated
// and accepted; the values are not kept (Session has no field for them yet).
void ClientSetInfo(CommandContext& ctx, CommandArgs argv) {
  const std::string_view attr = argv[2];
  if (!EqualsLower(attr, "lib-name") && !EqualsLower(attr, "lib-ver")) {
    std::string message = "ERR Unrecognized option '";
    message.append(attr.substr(0, 128));
    message.append("'");
    ReplyErrorSanitized(ctx, message);
    return;
  }
  if (!ValidAttribute(argv[3])) {
    std::string message = "ERR ";
    message.append(attr);
    message.append(" cannot contain spaces, newlines or special characters.");
    ctx.reply.Error(message);
    return;
  }
  ctx.reply.Simple("OK");
}

void ClusterDisabled(CommandContext& ctx, CommandArgs argv) {
  ctx.reply.Error(kErrClusterDisabled);
}

void ClusterKeySlot(CommandContext& ctx, CommandArgs argv) { ctx.reply.Integer(KeySlot(argv[2])); }

}  // namespace shoal::commands
