// PeerLinks: carries the core's peer messages between the members of a cluster over TCP, as
// frames of the core's codec (core/cluster/codec.h), for net::Server. The core decides what to
// send; this only moves bytes, like the simulator's network: a frame may be lost when a link
// breaks or a queue is full, and replication resends what is not acknowledged.
//
//   PeerLinks links(io, options, deliver, batch_done);
//   links.Listen();                  // binds the peer port
//   links.Start();                   // accepts; connects to every other member, with backoff
//   links.Send(to, envelope);        // encodes and queues; never blocks
//
// One outgoing connection per other member (this node writes, never reads it) and whatever
// incoming ones the members open (read, never written): each direction has one writer. An
// incoming frame that is over the limit or does not decode closes that connection with a log
// line; the node keeps serving. Queues are bounded (limits::kPeerQueueBytesMax per member): a
// slow or dead member never blocks the others or grows memory without limit.
//
// Thread safety: everything runs on the io_context's one thread. Invariants:
//   1. Each member's queued bytes stay <= queue_bytes_max (frames past it are dropped, counted).
//   2. `deliver` sees only frames that decoded; `batch_done` follows the frames of one read.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "core/cluster/codec.h"
#include "core/cluster/messages.h"
#include "core/limits.h"
#include "net/asio_types.h"

namespace shoal::net {

struct PeerLinksOptions {
  cluster::NodeId self = 0;
  std::vector<boost::asio::ip::tcp::endpoint> members;  // peer address of every member, by id
  std::string bind = "127.0.0.1";                       // where the peer port listens
  std::uint16_t peer_port = 0;
  std::size_t queue_bytes_max = limits::kPeerQueueBytesMax;
  cluster::CodecLimits codec;
};

struct PeerLinkCounters {
  std::uint64_t frames_sent = 0;  // queued for a member
  std::uint64_t frames_received = 0;
  std::uint64_t frames_dropped = 0;  // queue full
  std::uint64_t connects = 0;        // outgoing connections established
  std::uint64_t bad_frames = 0;      // incoming connections closed for bad input
};

class PeerLinks {
 public:
  using Deliver = std::function<void(const cluster::Envelope&)>;
  using BatchDone = std::function<void()>;

  PeerLinks(boost::asio::io_context& io, PeerLinksOptions options, Deliver deliver,
            BatchDone batch_done);
  ~PeerLinks();
  PeerLinks(const PeerLinks&) = delete;
  PeerLinks& operator=(const PeerLinks&) = delete;

  // Binds and listens on the peer port; returns an error message or an empty string.
  std::string Listen();
  // Starts accepting and connecting. REQUIRES: Listen() succeeded.
  void Start();
  // Encodes `envelope` into `to`'s queue and wakes its writer. REQUIRES: to is another member.
  void Send(cluster::NodeId to, const cluster::Envelope& envelope);
  // Closes every socket; the coroutines end.
  void Stop();

  const PeerLinkCounters& counters() const { return counters_; }
  // Members this node has a working outgoing connection to.
  std::uint32_t connected() const;

 private:
  struct Out;
  Task<> AcceptLoop();
  Task<> ReadLoop(std::shared_ptr<Socket> socket, std::string from);
  Task<> WriteLoop(Out& out);

  boost::asio::io_context& io_;
  PeerLinksOptions options_;
  Deliver deliver_;
  BatchDone batch_done_;
  Acceptor acceptor_;
  std::vector<std::unique_ptr<Out>> out_;  // by member id; null for self
  std::vector<std::weak_ptr<Socket>> incoming_;
  PeerLinkCounters counters_;
  bool stopped_ = false;
};

}  // namespace shoal::net
