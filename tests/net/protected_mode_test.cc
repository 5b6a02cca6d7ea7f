// net/protected_mode.h: which client addresses protected mode refuses, and the log line that says
// so at most once per interval.
#include "net/protected_mode.h"

#include <string>

#include "gtest/gtest.h"

namespace shoal::net {
namespace {

boost::asio::ip::address Address(const char* text) { return boost::asio::ip::make_address(text); }

TEST(ProtectedModeTest, LoopbackIsAll127SlashEightAndColonColonOne) {
  for (const char* loopback : {"127.0.0.1", "127.0.0.2", "127.255.255.254", "::1",
                               "::ffff:127.0.0.1", "::ffff:127.1.2.3"}) {
    EXPECT_TRUE(IsLoopback(Address(loopback))) << loopback;
  }
  for (const char* remote :
       {"192.0.2.2", "10.0.0.1", "0.0.0.0", "128.0.0.1", "126.255.255.255", "::", "::2", "fd00::2",
        "::ffff:192.0.2.2", "::ffff:128.0.0.1", "::127.0.0.1"}) {
    EXPECT_FALSE(IsLoopback(Address(remote))) << remote;
  }
}

TEST(ProtectedModeTest, RefusesOnlyRemoteClientsWithoutAPassword) {
  const auto remote = std::optional(Address("192.0.2.2"));
  const auto local = std::optional(Address("127.0.0.1"));
  EXPECT_TRUE(ProtectedModeRefuses(true, false, remote));
  EXPECT_TRUE(ProtectedModeRefuses(true, false, std::nullopt));  // unknown address: refused
  EXPECT_FALSE(ProtectedModeRefuses(true, false, local));
  EXPECT_FALSE(ProtectedModeRefuses(true, true, remote));    // --requirepass set
  EXPECT_FALSE(ProtectedModeRefuses(false, false, remote));  // --protected-mode no
  EXPECT_FALSE(ProtectedModeRefuses(false, true, std::nullopt));
}

TEST(ProtectedModeTest, TheReplyIsRedisSDeniedError) {
  EXPECT_TRUE(kProtectedModeDenied.starts_with(
      "-DENIED Shoal is running in protected mode because protected mode is enabled and no "
      "password is set for the default user. In this mode connections are only accepted from the "
      "loopback interface."));
  EXPECT_TRUE(kProtectedModeDenied.ends_with(
      "NOTE: You only need to do one of the above things in order for the server to start "
      "accepting connections from the outside.\r\n"));
  // One line: a client reads it as one error reply.
  EXPECT_EQ(kProtectedModeDenied.find('\n'), kProtectedModeDenied.size() - 1);
  EXPECT_EQ(kProtectedModeDenied.find("Redis"), std::string_view::npos);
}

TEST(ProtectedModeTest, RefusalLogSaysAtMostOneLinePerIntervalAndCountsEveryRefusal) {
  RefusalLog log(10'000);
  const std::string first = log.Refused(5'000, "192.0.2.2:1");
  EXPECT_NE(first.find("refused 1 client(s)"), std::string::npos) << first;
  EXPECT_NE(first.find("192.0.2.2:1"), std::string::npos) << first;
  for (int i = 0; i < 1000; ++i) EXPECT_EQ(log.Refused(5'000 + i, "192.0.2.2:2"), "");
  EXPECT_EQ(log.Refused(14'999, "192.0.2.2:3"), "");
  const std::string second = log.Refused(15'000, "192.0.2.3:4");
  EXPECT_NE(second.find("refused 1002 client(s)"), std::string::npos) << second;
  EXPECT_NE(second.find("192.0.2.3:4"), std::string::npos) << second;
  EXPECT_EQ(log.Refused(15'001, "192.0.2.3:5"), "");
}

}  // namespace
}  // namespace shoal::net
