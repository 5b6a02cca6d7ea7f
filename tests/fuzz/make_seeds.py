#!/usr/bin/env python3
"""Writes the hand-made seeds of each fuzz target into tests/fuzz/corpus/<target>/seed-*.

The rest of each corpus folder is what libFuzzer found and `-merge=1` kept (files named by their
SHA-1). Run this after changing an input format; it only rewrites seed-* files:
    python3 tests/fuzz/make_seeds.py
The formats are described at the top of each tests/fuzz/<target>_fuzz.cc.
"""
import pathlib

CORPUS = pathlib.Path(__file__).resolve().parent / "corpus"


def multibulk(*args):
    out = b"*%d\r\n" % len(args)
    for a in args:
        a = a.encode() if isinstance(a, str) else a
        out += b"$%d\r\n%s\r\n" % (len(a), a)
    return out


# --- resp_parser: [limits byte] [chunk count, sizes...] [flags byte] [payload] ---------------
def resp_parser_seeds():
    whole = b"\x00\x00\x00"  # default limits, one read
    bytewise = b"\x00\x01\x00\x01"  # default limits, 1-byte reads, skip below needed_bytes()
    mixed = b"\x00\x03\x02\x06\x00\x00"  # reads of 3, 7, 1 bytes
    small = bytes([3 + 6 * 3 + 30 * 3]) + b"\x02\x04\x01\x00"  # bulk 4, array 3, inline 8
    pipeline = multibulk("SET", "k", "v") + multibulk("GET", "k") + multibulk("PING")
    return {
        "multibulk": whole + multibulk("GET", "key"),
        "pipeline-split": mixed + pipeline,
        "binary-bytewise": bytewise + multibulk("SET", "k", b"a\r\n\x00\xff"),
        "inline": mixed + b"SET k \"a b\\x41\\n\" 'c d'\r\nGET k\nPING\r\n",
        "skipped-frames": whole + b"*0\r\n*-1\r\n\r\n   \n\t\r\n" + multibulk("PING"),
        "over-limits": small + multibulk("SET", "k", "value") + b"*9\r\n",
        "errors": mixed + b"*1\r\n$x\r\n",
        "unbalanced": whole + b"SET \"k v\r\n",
        "big-bulk-header": bytewise + b"*2\r\n$3\r\nSET\r\n$9999999999\r\n",
    }


# --- reply_parser: [limits byte] [chunk count, sizes...] [payload] ----------------------------
def reply_parser_seeds():
    whole = b"\x00\x00"
    bytewise = b"\x00\x01\x00"
    mixed = b"\x00\x02\x04\x01"
    resp2 = b"+OK\r\n-ERR no\r\n:42\r\n$3\r\nfoo\r\n$-1\r\n*2\r\n$1\r\na\r\n:-1\r\n*-1\r\n"
    resp3 = b"%1\r\n+a\r\n#t\r\n,1.5\r\n=7\r\ntxt:abc\r\n_\r\n~2\r\n:1\r\n#f\r\n"
    nested = b"*1\r\n" * 9 + b":1\r\n"
    return {
        "resp2": whole + resp2,
        "resp2-bytewise": bytewise + resp2,
        "resp3-split": mixed + resp3,
        "nested": whole + nested,
        "cluster-errors": mixed + b"-MOVED 3999 127.0.0.1:7001\r\n-TRYAGAIN busy\r\n",
        "line-limit": bytes([2 * 64]) + b"\x01\x00+12345678\r\n+123456789\r\n",
    }


# --- flags: arguments separated by NUL ----------------------------------------------------------
def flags_seeds():
    def args(*a):
        return b"\x00".join(x.encode() for x in a)

    return {
        "all-flags": args("--bind", "::1", "--port=0", "--maxmemory", "64mb", "--eviction=lru",
                          "--max-value-bytes", "1gb", "--max-clients=100",
                          "--requirepass", "secret", "--log-level=debug"),
        "help": args("--help", "-h"),
        "sizes": args("--maxmemory=2GB", "--max-value-bytes=512mb", "--maxmemory", "1000k"),
        "errors": args("--port", "65536", "--bogus", "x", "--maxmemory=-1"),
        "missing-value": args("--requirepass"),
        "security": args("--protected-mode", "no", "--timeout=300", "--requirepass", "pw"),
        "security-errors": args("--protected-mode=maybe", "--timeout", "2147483648"),
        "cluster": args("--port", "7001", "--cluster", "yes", "--cluster-members",
                        "127.0.0.1:17001,127.0.0.1:17002,[::1]:17003", "--copies=2"),
        "cluster-announce": args("--port=7002", "--bind", "0.0.0.0", "--cluster=yes",
                                 "--announce-ip", "10.0.0.2", "--peer-port", "17002",
                                 "--cluster-members=10.0.0.1:17001,10.0.0.2:17002"),
    }


# --- command: [config byte] then ops (see command_fuzz.cc) --------------------------------------
def raw(s):
    s = s.encode() if isinstance(s, str) else s
    assert len(s) < 0x3f
    return bytes([0xC0 + len(s)]) + s


def command(client, *argv):
    """A command spelled out: the name raw (op bit 16), then its arguments, raw."""
    assert 1 <= len(argv) <= 8
    block = b"".join(raw(a) for a in argv)
    assert len(block) < 0xFF
    return bytes([0x10 | client, 0, len(argv) - 1, len(block)]) + block


# Index of the 100-byte value in command_fuzz.cc's kWords (static_assert there).
WORD_LONG_VALUE = 1


def set_word(client, key, word):
    """SET key <kWords[word]>, by table name lookup through a raw name."""
    block = raw("SET") + raw(key) + word
    return bytes([0x10 | client, 0, 2, len(block)]) + block


def entry(client, index):
    """Table entry `index` (modulo the table), arguments padded to its arity with kWords[0]."""
    return bytes([client, index, 0, 0])


def forward(ms_units, unit=0):  # (byte + 1) * {1, 100, 10^4, 10^6}[unit] ms
    return bytes([0x80 | unit, ms_units - 1])


def backward(ms_units, unit=0):
    return bytes([0xA0 | unit, ms_units - 1])


def ticks(n):
    return bytes([0xC0 | (n - 1)])


def disconnect(client):
    return bytes([0xE0 | client])


S3FIFO, SIEVE, LRU, NOEVICTION = 0, 1, 2, 3
MAXMEMORY_4K, MAXMEMORY_16K = 1 << 2, 2 << 2
REQUIREPASS, CLIENTS_MAX_2 = 0x10, 0x20
ENTRIES_SEEDED = 128  # more than the table has (about 80 entries): indices wrap, so new entries are reached too


def command_seeds():
    seeds = {}
    # Every table entry once, each on a fresh connection (QUIT and SHUTDOWN close it).
    ops = b""
    for i in range(ENTRIES_SEEDED):
        ops += entry(i % 4, i) + disconnect(i % 4)
    seeds["every-entry"] = bytes([S3FIFO]) + ops
    # The same behind AUTH, in RESP3.
    ops = command(0, "HELLO", "3", "AUTH", "default", "hunter2") + command(1, "GET", "k")
    for i in range(ENTRIES_SEEDED):
        ops += entry(0, i)
    seeds["every-entry-auth-resp3"] = bytes([REQUIREPASS]) + ops
    # Expiry: TTLs, clock steps across them, lazy and active expiry, absolute times.
    seeds["expiry"] = bytes([LRU]) + b"".join([
        command(0, "SET", "k", "v", "EX", "10"),
        command(0, "SET", "k2", "v", "PX", "1500", "NX"),
        command(1, "TTL", "k"), forward(50, 1), command(1, "PTTL", "k2"),
        forward(60, 2), command(0, "GET", "k"), ticks(4),
        command(0, "SET", "k", "v", "PXAT", "1700000000000"), command(0, "EXISTS", "k", "k2"),
        command(0, "SET", "a", "1"), command(0, "EXPIREAT", "a", "1800000000", "GT"),
        command(0, "PERSIST", "a"), command(0, "GETEX", "a", "PX", "5"), forward(6),
        command(0, "EXPIRETIME", "a"), command(0, "INCRBY", "n", "9223372036854775807"),
        command(0, "INCR", "n"), command(0, "APPEND", "n", "x"), command(0, "DECR", "n"),
    ])
    # Wall clock stepped back under keys with TTLs.
    seeds["clock-back"] = bytes([S3FIFO]) + b"".join([
        command(0, "SET", "k", "v", "PX", "1000"), backward(20, 1), command(0, "PTTL", "k"),
        forward(100, 1), ticks(2), command(0, "GET", "k"), backward(1, 3),
        command(0, "SETEX", "k", "1", "v"), command(0, "TTL", "k"),
    ])
    # Memory pressure under each policy: 100-byte values (kWords[1]) into 4 KiB.
    value = bytes([WORD_LONG_VALUE])
    for name, policy in (("s3fifo", S3FIFO), ("sieve", SIEVE), ("lru", LRU),
                         ("noeviction", NOEVICTION)):
        ops = b""
        for i in range(48):
            ops += set_word(i % 2, "key%d" % i, value)
            if i % 5 == 0:
                ops += command(0, "GET", "key%d" % (i // 2))
        ops += command(0, "MSET", "a", "v", "b", "v", "c", "v")
        ops += command(0, "INFO", "memory") + command(0, "DBSIZE")
        seeds["evict-" + name] = bytes([policy | MAXMEMORY_4K]) + ops
    # The string commands over ranges, bits and floats, and LCS.
    seeds["strings"] = bytes([S3FIFO]) + b"".join([
        command(0, "SET", "k", "hello world"), command(0, "GETRANGE", "k", "-5", "-1"),
        command(0, "SUBSTR", "k", "0", "4"), command(0, "SETRANGE", "k", "6", "there"),
        command(0, "SETRANGE", "new", "10", "x"), command(0, "GETSET", "k", "abc"),
        command(0, "SETBIT", "b", "7", "1"), command(0, "SETBIT", "b", "100", "1"),
        command(0, "GETBIT", "b", "100"), command(0, "BITCOUNT", "b", "0", "-1", "BIT"),
        command(0, "BITCOUNT", "b", "1", "2", "BYTE"), command(0, "BITPOS", "b", "1", "2"),
        command(0, "BITPOS", "b", "0", "0", "-1", "BIT"), command(0, "SETBIT", "b", "8388607", "1"),
        command(0, "SET", "f", "10.5"), command(0, "INCRBYFLOAT", "f", "0.1"),
        command(0, "INCRBYFLOAT", "f", "5.0e3"), command(0, "INCRBYFLOAT", "f", "inf"),
        command(0, "MSET", "{t}a", "ohmytext", "{t}b", "mynewtext"),
        command(0, "LCS", "{t}a", "{t}b"), command(0, "LCS", "{t}a", "{t}b", "LEN"),
        command(0, "LCS", "{t}a", "{t}b", "IDX", "MINMATCHLEN", "2", "WITHMATCHLEN"),
    ])
    # Keyspace walks and renames: KEYS and SCAN globs, SCAN cursors, RENAME/COPY with TTLs.
    seeds["keyspace"] = bytes([S3FIFO]) + b"".join([
        command(0, "MSET", "user:1", "a", "user:2", "b", "item:1", "c"),
        command(0, "PEXPIRE", "user:1", "5000"), command(0, "KEYS", "user:[^2]*"),
        command(0, "KEYS", "*[a-]\\"), command(0, "SCAN", "0", "MATCH", "u*", "COUNT", "1"),
        command(0, "SCAN", "-1", "TYPE", "string"), command(0, "SCAN", "", "COUNT", "0"),
        command(0, "RANDOMKEY"), command(0, "TOUCH", "user:1", "nokey", "user:1"),
        command(0, "RENAME", "user:1", "user:3"), command(0, "RENAMENX", "user:3", "user:2"),
        command(0, "COPY", "user:3", "item:1", "REPLACE"), command(0, "COPY", "a", "b", "DB", "1"),
        forward(60, 1), command(0, "RENAME", "user:3", "x"), command(0, "KEYS", "*"),
    ])
    # OBJECT and MEMORY USAGE on int / embstr / raw values, on LRU (no FREQ) and S3-FIFO.
    introspection = b"".join([
        command(0, "MSET", "i", "123", "e", "hello", "r", "x" * 50),
        command(0, "OBJECT", "ENCODING", "i"), command(0, "OBJECT", "ENCODING", "r"),
        command(0, "OBJECT", "REFCOUNT", "i"), command(0, "OBJECT", "FREQ", "e"),
        command(0, "GET", "e"), command(0, "OBJECT", "FREQ", "e"),
        command(0, "OBJECT", "IDLETIME", "e"), command(0, "OBJECT", "HELP"),
        command(0, "MEMORY", "USAGE", "r", "SAMPLES", "0"), command(0, "MEMORY", "USAGE", "no"),
        command(0, "MEMORY", "USAGE", "r", "SAMPLES", "-1"), command(0, "MEMORY", "HELP"),
    ])
    seeds["bitop"] = bytes([S3FIFO]) + b"".join([
        command(0, "MSET", "{t}a", "foobar", "{t}b", "abc"),
        command(0, "BITOP", "AND", "{t}d", "{t}a", "{t}b"),
        command(0, "BITOP", "XOR", "{t}d", "{t}b", "{t}none", "{t}a"),
        command(0, "BITOP", "NOT", "{t}d", "{t}a"), command(0, "BITOP", "NOT", "{t}d", "a", "b"),
        command(0, "BITOP", "OR", "{t}d", "{t}x", "{t}y"), command(0, "BITOP", "NAND", "d", "a"),
    ])
    seeds["wait"] = bytes([S3FIFO]) + b"".join([
        command(0, "SET", "k", "v"), command(0, "WAIT", "1", "0"), command(0, "WAIT", "x", "0"),
        command(0, "WAIT", "0", "-1"), command(0, "WAIT", "0", "1.5"),
    ])
    seeds["introspection"] = bytes([S3FIFO]) + introspection
    seeds["introspection-lru"] = bytes([LRU]) + introspection
    # CLUSTER's subcommands on a single node, and the read-only/read-write switches.
    seeds["cluster"] = bytes([S3FIFO]) + b"".join([
        command(0, "CLUSTER", "KEYSLOT", "{t}a"), command(0, "CLUSTER", "INFO"),
        command(0, "CLUSTER", "MYID"), command(0, "CLUSTER", "SLOTS"),
        command(0, "CLUSTER", "SHARDS"), command(0, "CLUSTER", "NODES"),
        command(0, "SET", "k", "v"), command(0, "CLUSTER", "COUNTKEYSINSLOT", "12539"),
        command(0, "CLUSTER", "GETKEYSINSLOT", "12539", "10"), command(0, "READONLY"),
        command(0, "READWRITE"), command(0, "CLUSTER", "HELP"),
    ])
    # More clients than clients_max, and QUIT.
    seeds["max-clients"] = bytes([CLIENTS_MAX_2]) + b"".join([
        command(0, "PING"), command(1, "CLIENT", "SETNAME", "one"), command(2, "PING"),
        command(3, "CLIENT", "LIST"), command(1, "QUIT"), command(1, "PING"),
        command(2, "PING"), disconnect(0), command(3, "CLIENT", "INFO"),
    ])
    return seeds


# --- codec: [limits: 2 bytes] [chunk count, sizes...] [frames] (core/cluster/codec.h) ---------
def var(v):
    out = b""
    while v >= 0x80:
        out += bytes([(v & 0x7F) | 0x80])
        v >>= 7
    return out + bytes([v])


def zigzag(v):
    return var((v << 1) ^ (v >> 63))


def string(b):
    b = b.encode() if isinstance(b, str) else b
    return var(len(b)) + b


def crc16(data):
    crc = 0
    for byte in data:
        crc ^= byte << 8
        for _ in range(8):
            crc = ((crc << 1) ^ 0x1021) if crc & 0x8000 else crc << 1
            crc &= 0xFFFF
    return crc


def key_slot(key):  # core/slot.cc: CRC16 of the hash tag ({...}) or the key, mod 16384
    key = key.encode() if isinstance(key, str) else key
    start = key.find(b"{")
    if start >= 0:
        end = key.find(b"}", start + 1)
        if end > start + 1:
            key = key[start + 1:end]
    return crc16(key) & 16383


def key_state(key, value=b"", expire_at=0, deleted=False):
    return string(key) + string(value) + zigzag(expire_at) + bytes([deleted])


def mutation(slot, version, keys=(), flush=False):
    return var(slot) + var(version) + bytes([flush]) + var(len(keys)) + b"".join(keys)


def frame(kind, body, sender=1, incarnation=5, epoch=0, version=1):
    payload = bytes([version, kind]) + var(sender) + var(incarnation) + var(epoch) + body
    return len(payload).to_bytes(4, "little") + payload


# Message kinds (codec.cc's Kind); 5..9 are the configuration log's, 10 a member's status.
REPLICATE, REPLICATE_ACK, SYNC_REQUEST, SYNC_REPLY, INCARNATION_TOO_OLD = range(5)
VOTE_REQUEST, VOTE_REPLY, APPEND_ENTRIES, APPEND_REPLY, INSTALL_SNAPSHOT = range(5, 10)
MEMBER_STATUS = 10


def codec_seeds():
    whole = b"\x00\x00\x00"  # default limits, one read
    bytewise = b"\x00\x00\x01\x00"  # default limits, 1-byte reads
    mixed = b"\x00\x00\x03\x02\x06\x00"  # reads of 3, 7, 1 bytes
    tagged = [key_state("{t}a", "v", 1700000000000), key_state("{t}b", deleted=True)]
    replicate = frame(REPLICATE, var(3) + var(1) + var(2)
                      + mutation(key_slot("{t}a"), 7, tagged)
                      + mutation(100, 8, flush=True) + var(2) + var(10))
    ack = frame(REPLICATE_ACK, var(3) + var(2), sender=2)
    sync_request = frame(SYNC_REQUEST, var(0) + bytes([1]) + var(300))
    sync_reply = frame(SYNC_REPLY, var(4) + var(0) + bytes([2]) + var(16383) + bytes([1])
                       + var(1) + mutation(key_slot("k"), 9, [key_state("k", "value")]))
    too_old = frame(INCARNATION_TOO_OLD, var(4) + var(1 << 40))
    vote = frame(VOTE_REQUEST, var(3) + var(10) + var(2) + bytes([1]))
    vote_reply = frame(VOTE_REPLY, var(3) + bytes([1, 0]))
    # AppendEntries ends with the echo and send times, AppendReply with the send and echo times.
    append = frame(APPEND_ENTRIES, var(3) + var(10) + var(2) + var(9) + var(2)
                   + var(3) + string("add node 4") + var(3) + string("")
                   + zigzag(1000500) + zigzag(2000100))
    append_reply = frame(APPEND_REPLY, var(3) + bytes([0]) + var(0) + var(11) + var(9)
                         + zigzag(1000600) + zigzag(2000100))
    snapshot = frame(INSTALL_SNAPSHOT, var(3) + var(10) + var(2) + string("members 1,2,3"))
    status = frame(MEMBER_STATUS, bytes([0, 1]))  # not its first life, serving
    # Small limits (codec_fuzz.cc's DecodeLimits digits): frames 40 bytes, 1 mutation, 1 key,
    # keys 4 bytes, values 8 bytes.
    small = (3 + 5 * (2 + 4 * (2 + 4 * (2 + 3 * 2)))).to_bytes(2, "big") + b"\x00"
    return {
        "replicate": whole + replicate,
        "stream-bytewise": bytewise + replicate + ack + sync_request + too_old,
        "stream-mixed": mixed + sync_reply + ack + replicate,
        "consensus": mixed + vote + vote_reply + append + append_reply + snapshot + status,
        "over-limits": small + replicate + sync_reply,
        "non-canonical-varint": whole + frame(REPLICATE_ACK, b"\x83\x00" + b"\x80\x80\x00"),
        "errors": whole + frame(REPLICATE_ACK, var(1), version=2) + frame(12, b"")
                  + frame(REPLICATE_ACK, var(1) + var(2) + b"\x00")
                  + frame(REPLICATE, var(1) + var(1) + var(0) + var(0) + var(0))
                  + frame(SYNC_REQUEST, var(0) + bytes([3]) + var(0))
                  + frame(REPLICATE, var(1) + var(1) + var(1) + mutation(5, 1, [key_state("k")])
                          + var(0) + var(0))
                  + b"\xff\xff\xff\x7f",
        "truncated": bytewise + replicate[:-3],
    }


# --- peer: [shape byte] then ops (peer_fuzz.cc) ---------------------------------------------------
def peer_frame(kind, body, sender=1, incarnation=0, epoch=1):
    length = bytes([len(body)]) if len(body) < 0xFF else b"\xff" + len(body).to_bytes(2, "big")
    return bytes([kind, sender, incarnation, epoch]) + length + body


def peer_ticks(n):  # n in 1..16
    return bytes([0xA0 | (n - 1)])


def peer_command(client, key, verb):  # verb: 0 SET, 1 GET, 2 DEL, 3 SET PX 50
    return bytes([0x60 | client, key | (verb << 3)])


def peer_echo(member, incarnation=0):
    return bytes([0xC0 | member | (incarnation << 3)])


PEER_RESTART = b"\xe0"


def peer_seeds():
    shape = 0x45  # 3 nodes, 2 copies, this node 0, small knobs
    follower = 0x4D  # the same, this node 1
    grant_pre = peer_frame(VOTE_REPLY, var(1) + bytes([1, 1]))
    grant = peer_frame(VOTE_REPLY, var(1) + bytes([1, 0]))
    matched = peer_frame(APPEND_REPLY, var(1) + bytes([1]) + var(1) + var(0) + var(0)
                         + zigzag(1000) + zigzag(0))
    mark_down_2 = bytes([0]) + var(2)
    append = peer_frame(APPEND_ENTRIES, var(1) + var(0) + var(0) + var(2) + var(2)
                        + var(1) + string("") + var(1) + string(mark_down_2)
                        + zigzag(0) + zigzag(1000), sender=0)
    snapshot = peer_frame(INSTALL_SNAPSHOT, var(1) + var(9) + var(1) + string("garbage"), sender=0)
    tagged = [key_state("{t}a", "v", 1700000000000), key_state("{t}b", deleted=True)]
    replicate = peer_frame(REPLICATE, var(3) + var(1) + var(2)
                           + mutation(key_slot("{t}a"), 7, tagged) + var(2) + var(10), sender=0)
    sync_request = peer_frame(SYNC_REQUEST, var(0) + bytes([1]) + var(300), sender=2)
    sync_reply = peer_frame(SYNC_REPLY, var(4) + var(0) + bytes([2]) + var(16383) + bytes([1])
                            + var(1) + mutation(key_slot("k"), 9, [key_state("k", "value")]),
                            sender=2)
    writes = b"".join(peer_command(c, k, v) for c, k, v in [(0, 0, 0), (1, 1, 0), (0, 2, 3),
                                                            (1, 0, 1), (0, 1, 2)])
    echoes = peer_echo(1) + peer_echo(2) + peer_echo(1, 1) + peer_echo(2, 2)
    return {
        "leader": bytes([shape]) + peer_ticks(16) + peer_ticks(16) + grant_pre + grant + matched
                  + writes + echoes + peer_ticks(4) + PEER_RESTART + peer_ticks(8),
        "follower": bytes([follower]) + append + peer_ticks(2) + snapshot + writes + peer_ticks(16)
                    + PEER_RESTART + peer_ticks(2) + append,
        "replication": bytes([follower]) + replicate + sync_request + sync_reply + writes
                       + peer_ticks(3) + echoes + b"\x83\x20" + replicate,
        "single-copy": bytes([0x02]) + writes + peer_ticks(16) + echoes + PEER_RESTART + writes,
    }


# --- voter_state: the body of a voter-state file; the target adds magic and checksum -------------
def voter_state_body(term, vote, snapshot, entries):
    """vote: None or a node id; snapshot: (last_index, last_term, data); entries: (term, data)."""
    out = var(term) + var(0 if vote is None else vote + 1)
    out += var(snapshot[0]) + var(snapshot[1]) + string(snapshot[2])
    out += var(len(entries))
    for entry_term, data in entries:
        out += var(entry_term) + string(data)
    return out


def voter_state_seeds():
    mark_down_2 = bytes([0]) + var(2)
    mark_up_1 = bytes([1]) + var(1) + var(1700000000123) + bytes([1])
    return {
        "new-voter": voter_state_body(0, None, (0, 0, b""), []),
        "voted": voter_state_body(3, 1, (0, 0, b""), [(1, b""), (3, mark_down_2)]),
        "compacted": voter_state_body(9, 0, (64, 8, b"\x02\x03\x02\x40snapshot"),
                                      [(8, mark_up_1), (9, b"")]),
        "decreasing-terms": voter_state_body(5, 2, (0, 0, b""), [(4, b""), (2, b"")]),
    }


def main():
    targets = {
        "codec": codec_seeds(),
        "resp_parser": resp_parser_seeds(),
        "reply_parser": reply_parser_seeds(),
        "flags": flags_seeds(),
        "command": command_seeds(),
        "peer": peer_seeds(),
        "voter_state": voter_state_seeds(),
    }
    for target, seeds in targets.items():
        folder = CORPUS / target
        folder.mkdir(parents=True, exist_ok=True)
        for old in folder.glob("seed-*"):
            old.unlink()
        for name, data in seeds.items():
            (folder / ("seed-" + name)).write_bytes(data)
        print("%s: %d seeds" % (target, len(seeds)))


if __name__ == "__main__":
    main()
