#include "sim/network.h"

#include "gtest/gtest.h"

namespace shoal::sim {
namespace {

NetworkOptions Quiet() {
  NetworkOptions o;
  o.latency_min_ms = 1;
  o.latency_max_ms = 5;
  return o;
}

TEST(NetworkTest, FullLossDeliversNothing) {
  NetworkOptions o = Quiet();
  o.loss_ppm = 1000000;
  o.client_loss_ppm = 1000000;
  Network net(3, 2, o);
  Prng prng(1);
  for (int i = 0; i < 1000; ++i) {
    EXPECT_FALSE(net.Send(i, 0, 1, prng).delivered);
    EXPECT_FALSE(net.Send(i, net.ClientEndpoint(0), 2, prng).delivered);
  }
}

TEST(NetworkTest, NoFaultsDeliversEverythingWithinLatency) {
  Network net(3, 1, Quiet());
  Prng prng(2);
  for (int i = 0; i < 1000; ++i) {
    const Delivery d = net.Send(100, 0, 2, prng);
    ASSERT_TRUE(d.delivered);
    EXPECT_FALSE(d.duplicated);
    EXPECT_GE(d.at, 101);
  }
}

TEST(NetworkTest, PartitionsBlockOneDirectionAndHealByCount) {
  Network net(3, 1, Quiet());
  Prng prng(3);
  net.Block(0, 1);
  net.Block(0, 1);  // two overlapping faults
  EXPECT_FALSE(net.Send(0, 0, 1, prng).delivered);
  EXPECT_TRUE(net.Send(0, 1, 0, prng).delivered);  // asymmetric: the reverse still works
  net.Unblock(0, 1);
  EXPECT_FALSE(net.Send(0, 0, 1, prng).delivered);  // the other fault still holds
  net.Unblock(0, 1);
  EXPECT_TRUE(net.Send(0, 0, 1, prng).delivered);
}

TEST(NetworkTest, DuplicationOnPeerLinksOnly) {
  NetworkOptions o = Quiet();
  o.duplicate_ppm = 1000000;
  Network net(2, 1, o);
  Prng prng(4);
  const Delivery peer = net.Send(0, 0, 1, prng);
  ASSERT_TRUE(peer.delivered);
  EXPECT_TRUE(peer.duplicated);
  EXPECT_GE(peer.duplicate_at, peer.at);
  const Delivery client = net.Send(0, net.ClientEndpoint(0), 1, prng);
  ASSERT_TRUE(client.delivered);
  EXPECT_FALSE(client.duplicated);  // TCP never duplicates
}

TEST(NetworkTest, StreamLinksAreFifoAndReorderingBreaksFifo) {
  NetworkOptions o = Quiet();
  o.latency_max_ms = 50;
  Network fifo(2, 0, o);
  Prng prng(5);
  TimeMs last = 0;
  for (int i = 0; i < 500; ++i) {
    const Delivery d = fifo.Send(i / 10, 0, 1, prng);
    ASSERT_TRUE(d.delivered);
    EXPECT_GE(d.at, last);
    last = d.at;
  }
  o.reorder_ppm = 500000;
  Network reorder(2, 0, o);
  bool overtaken = false;
  last = 0;
  for (int i = 0; i < 500; ++i) {
    const Delivery d = reorder.Send(i / 10, 0, 1, prng);
    overtaken = overtaken || d.at < last;
    last = std::max(last, d.at);
  }
  EXPECT_TRUE(overtaken);
}

TEST(NetworkTest, ClogAddsDelayAndHealAllClearsEverything) {
  Network net(2, 1, Quiet());
  Prng prng(6);
  net.Clog(0, 1, 700);
  EXPECT_GE(net.Send(0, 0, 1, prng).at, 701);
  net.Block(1, 0);
  net.options().loss_ppm = 1000000;
  net.HealAll();
  EXPECT_TRUE(net.Send(1000, 1, 0, prng).delivered);
  const Delivery d = net.Send(1000, 0, 1, prng);
  ASSERT_TRUE(d.delivered);
  EXPECT_LE(d.at, 1000 + 5);  // the clog is gone
}

}  // namespace
}  // namespace shoal::sim

namespace shoal::sim {
namespace {

TEST(NetworkTest, StaleCopiesArriveLateOnPeerLinksOnlyAndNotWhenBlocked) {
  NetworkOptions o = Quiet();
  o.stale_ppm = 100000;  // 10%
  o.stale_delay_min_ms = 500;
  o.stale_delay_max_ms = 3000;
  o.loss_ppm = 500000;  // a stale copy is taken before loss: it survives a lost original
  Network net(3, 1, o);
  Prng prng(9);
  int stale = 0, stale_of_lost = 0;
  for (int i = 0; i < 4000; ++i) {
    const Delivery d = net.Send(1000, 0, 1, prng);
    if (!d.stale) continue;
    stale++;
    if (!d.delivered) stale_of_lost++;
    EXPECT_GE(d.stale_at, 1500);
    EXPECT_LE(d.stale_at, 4000);
  }
  EXPECT_GT(stale, 200);
  EXPECT_LT(stale, 600);
  EXPECT_GT(stale_of_lost, 0);
  for (int i = 0; i < 1000; ++i) {
    EXPECT_FALSE(net.Send(1000, net.ClientEndpoint(0), 1, prng).stale);
  }
  net.Block(0, 2);
  for (int i = 0; i < 1000; ++i) EXPECT_FALSE(net.Send(1000, 0, 2, prng).stale);
  net.HealAll();
  EXPECT_EQ(net.options().stale_ppm, 0u);
  for (int i = 0; i < 1000; ++i) EXPECT_FALSE(net.Send(1000, 0, 1, prng).stale);
}

}  // namespace
}  // namespace shoal::sim
