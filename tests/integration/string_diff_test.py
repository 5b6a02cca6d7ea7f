#!/usr/bin/env python3
"""Differential test of the string range and bit commands: the same random command sequence is
sent to shoald and to a redis-server 7.0 started here (same value limit: max-value-bytes 1mb and
proto-max-bulk-len 1mb), and every raw reply must be byte-identical.

Commands: GETRANGE, SUBSTR, SETRANGE, GETBIT, SETBIT, BITCOUNT, BITPOS, BITOP, LCS, GETSET,
INCRBYFLOAT, with SET (sometimes with an EXAT far in the future), GET, DEL, STRLEN and EXPIRETIME
to build and observe state (EXPIRETIME shows which writes keep a key's TTL). 16 keys, so
commands collide; at least 30% of the commands are malformed on purpose (wrong arity,
non-numeric or out-of-range numbers, bad units and options, offsets past the value limit). A share of the commands goes over
RESP3 connections (LCS IDX is a map there). At the end every key's value and expiry is compared.

Run: /usr/bin/python3 string_diff_test.py --shoald build/bin/shoald   (fixed seed, 5,000 commands)
     SHOAL_STRING_DIFF_SEED=random SHOAL_STRING_DIFF_COMMANDS=200000 python3 ... (longer; the seed
     is printed, and SHOAL_STRING_DIFF_SEED=N replays it)
     --redis compares redis-server with itself (checks that the sequence is deterministic).

Deliberate differences from Redis: none in what this test generates. (Outside it: an LCS table of
more than limits::kLcsCellsMax cells is refused by Shoal, which only a --max-value-bytes above
64 MiB can reach; docs/design.md, "String range and bit commands".)
"""

import os
import random
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
from harness import ServerTestCase  # noqa: E402

SEED_DEFAULT = 20261201
COMMANDS_DEFAULT = 5000
VALUE_LIMIT = 1 << 20  # max-value-bytes / proto-max-bulk-len on both servers
# Share of each command kind's instances made malformed (the helpers never are); the test checks
# that at least 30% of all commands came out malformed.
MALFORMED_SHARE = 0.42
RESP3_SHARE = 0.25
EXPIRE_AT = 4102444800  # 2100-01-01: far enough that no TTL passes during a run
MISMATCHES_SHOWN = 5

# The replies in which Shoal deliberately differs from Redis, as (command name, reason). The
# generator never produces one today; keep this list (and docs/design.md) in step if that changes.
DELIBERATE_DIFFERENCES = []

KEYS = ["k%d" % i for i in range(16)]
FLOAT_TEXTS = [b"0", b"1", b"-1", b"10.50", b"5.0e3", b"3.14", b"-0", b"-0.0", b"1e308", b"-2.5",
               b"1.1e4932", b"+2", b"0x10", b"1e-400", b".5", b"5.", b"00012", b"7", b"-100",
               b"123456789012345678901234567890", b"0.1", b"1e-18", b"-1e-18", b"-1e-30", b"42"]
BAD_FLOATS = [b"", b"inf", b"-inf", b"nan", b" 1", b"1 ", b"1e", b"abc", b"1e5000", b"3e-4960",
              b"1,5", b"2\x00"]
BAD_INTS = [b"", b"x", b"1.5", b" 1", b"+1", b"01", b"9223372036854775808",
            b"-9223372036854775809", b"1e3", b"0x10", b"--1", b"1 "]
BIG_INTS = [9223372036854775807, -9223372036854775808, VALUE_LIMIT - 1, VALUE_LIMIT,
            VALUE_LIMIT * 8 - 1, VALUE_LIMIT * 8, 100000, -100000]


class Generator:
    """Random commands as lists of bytes; each builder returns (argv, malformed)."""

    def __init__(self, seed):
        self.rng = random.Random(seed)

    # -- pieces --

    def key(self):
        return self.rng.choice(KEYS).encode()

    def value(self):
        r = self.rng.random()
        if r < 0.25:
            return self.rng.choice(FLOAT_TEXTS)
        if r < 0.3:
            return b""
        if r < 0.4:
            return bytes(self.rng.randrange(256) for _ in range(self.rng.randint(1, 8)))
        if r < 0.55:  # runs of all-ones and all-zero bytes: BITPOS's "not found" answers
            return b"".join(self.rng.choice([b"\xff", b"\x00", b"\x0f", b"\x80"]) *
                            self.rng.randint(1, 6) for _ in range(self.rng.randint(1, 3)))
        # A small alphabet, so that LCS finds matches and bit patterns repeat.
        return bytes(self.rng.choice(b"abcxy\x00\xff") for _ in range(self.rng.randint(1, 24)))

    def index(self):
        if self.rng.random() < 0.1:
            return self.rng.choice(BIG_INTS)
        return self.rng.randint(-30, 30)

    def bad_int(self):
        return self.rng.choice(BAD_INTS)

    def malformed(self):
        return self.rng.random() < MALFORMED_SHARE

    def wrong_arity(self, argv):
        """Drops the last argument or adds one (the caller picks commands for which both are
        arity errors, or knows the handler's own error)."""
        if len(argv) > 1 and self.rng.random() < 0.6:
            return argv[:-1]
        return argv + [b"extra"]

    def spoil(self, argv, numeric_positions):
        """Makes one malformed variant: wrong arity, or a bad number at one numeric position."""
        if not numeric_positions or self.rng.random() < 0.3:
            return self.wrong_arity(argv)
        argv = list(argv)
        argv[self.rng.choice(numeric_positions)] = self.bad_int()
        return argv

    @staticmethod
    def b(x):
        return x if isinstance(x, bytes) else str(x).encode()

    # -- commands --

    def getrange(self):
        name = self.rng.choice([b"GETRANGE", b"getrange", b"SUBSTR"])
        argv = [name, self.key(), self.b(self.index()), self.b(self.index())]
        if self.malformed():
            return self.spoil(argv, [2, 3]), True
        return argv, False

    def setrange(self):
        patch = self.value()
        offset = self.rng.randint(0, 40)
        if self.rng.random() < 0.05:  # right at the value limit: a 1 MiB value, or the error
            offset = VALUE_LIMIT - len(patch) + self.rng.choice([-1, 0, 0, 1])
        argv = [b"SETRANGE", self.key(), self.b(offset), patch]
        if self.malformed():
            r = self.rng.random()
            if r < 0.3:
                argv[2] = self.b(self.rng.choice([-1, -100, -9223372036854775808]))
            elif r < 0.5:
                argv[2] = self.b(self.rng.choice([VALUE_LIMIT, 9223372036854775807,
                                                  VALUE_LIMIT * 4]))
                argv[3] = patch or b"z"
            else:
                argv = self.spoil(argv, [2])
            return argv, True
        return argv, False

    def bit_offset(self):
        if self.rng.random() < 0.03:
            return VALUE_LIMIT * 8 - self.rng.randint(1, 16)  # grows a value to the limit
        return self.rng.randint(0, 300)

    def getbit(self):
        argv = [b"GETBIT", self.key(), self.b(self.bit_offset())]
        if self.malformed():
            if self.rng.random() < 0.4:
                argv[2] = self.b(self.rng.choice([-1, VALUE_LIMIT * 8, 9223372036854775807]))
                return argv, True
            return self.spoil(argv, [2]), True
        return argv, False

    def setbit(self):
        argv = [b"SETBIT", self.key(), self.b(self.bit_offset()), self.rng.choice([b"0", b"1"])]
        if self.malformed():
            r = self.rng.random()
            if r < 0.3:
                argv[3] = self.rng.choice([b"2", b"-1", b"x", b"01", b"", b"1.0"])
            elif r < 0.5:
                argv[2] = self.b(self.rng.choice([-1, VALUE_LIMIT * 8, 9223372036854775807]))
            else:
                argv = self.spoil(argv, [2, 3])
            return argv, True
        return argv, False

    def unit(self):
        return self.rng.choice([b"BYTE", b"BIT", b"byte", b"bit", b"Bit"])

    def bitcount(self):
        argv = [b"BITCOUNT", self.key()]
        form = self.rng.randrange(3)
        if form >= 1:
            argv += [self.b(self.index()), self.b(self.index())]
        if form == 2:
            argv.append(self.unit())
        if self.malformed():
            r = self.rng.random()
            if r < 0.2:
                argv = [b"BITCOUNT"]
            elif r < 0.4:
                argv = argv[:2] + [self.b(self.index())]  # start without end: syntax error
            elif r < 0.55:
                argv = argv[:2] + [self.b(self.index()), self.b(self.index()),
                                   self.rng.choice([b"bits", b"", b"BYTES", b"x"])]
            elif r < 0.7:
                argv = argv[:2] + [b"0", b"-1", self.unit(), b"extra"]
            else:
                argv = argv[:2] + [self.b(self.index()), self.b(self.index())]
                argv[self.rng.choice([2, 3])] = self.bad_int()
            return argv, True
        return argv, False

    def bitpos(self):
        argv = [b"BITPOS", self.key(), self.rng.choice([b"0", b"1"])]
        form = self.rng.randrange(4)
        if form >= 1:
            argv.append(self.b(self.index()))
        if form >= 2:
            argv.append(self.b(self.index()))
        if form == 3:
            argv.append(self.unit())
        if self.malformed():
            r = self.rng.random()
            if r < 0.15:
                argv = argv[:2]
            elif r < 0.35:
                argv[2] = self.rng.choice([b"2", b"-1", b"x", b"01", b""])
            elif r < 0.5:
                argv = argv[:3] + [b"0", b"-1", self.rng.choice([b"bits", b"x", b""])]
            elif r < 0.6:
                argv = argv[:3] + [b"0", b"-1", b"BIT", b"extra"]
            else:
                argv = argv[:3] + [self.b(self.index()), self.b(self.index()), self.unit()]
                argv = argv[:self.rng.choice([4, 5, 6])]
                argv[self.rng.randrange(3, len(argv))] = self.bad_int()
            return argv, True
        return argv, False

    def lcs(self):
        argv = [b"LCS", self.key(), self.key()]
        groups = []
        if self.rng.random() < 0.5:
            groups.append([self.rng.choice([b"IDX", b"idx"])])
        elif self.rng.random() < 0.5:
            groups.append([b"LEN"])
        if self.rng.random() < 0.4:
            groups.append([b"MINMATCHLEN", self.b(self.rng.randint(-2, 5))])
        if self.rng.random() < 0.4:
            groups.append([b"WITHMATCHLEN"])
        self.rng.shuffle(groups)
        for g in groups:
            argv += g
        if self.malformed():
            r = self.rng.random()
            if r < 0.2:
                argv = argv[:2]
            elif r < 0.4:
                argv = argv[:3] + [b"IDX", b"LEN"]
            elif r < 0.6:
                argv = argv[:3] + [b"MINMATCHLEN"]
            elif r < 0.8:
                argv = argv[:3] + [b"MINMATCHLEN", self.bad_int(), b"IDX"]
            else:
                argv = argv[:3] + [self.rng.choice([b"IDXX", b"", b"LENGTH"])]
            return argv, True
        return argv, False

    def bitop(self):
        op = self.rng.choice([b"AND", b"OR", b"XOR", b"NOT", b"and", b"xor"])
        sources = 1 if op.upper() == b"NOT" else self.rng.randint(1, 3)
        argv = [b"BITOP", op, self.key()] + [self.key() for _ in range(sources)]
        if self.malformed():
            r = self.rng.random()
            if r < 0.3:
                argv = argv[:3]  # no source key
            elif r < 0.6:
                argv = [b"BITOP", b"NOT", self.key(), self.key(), self.key()]
            else:
                argv[1] = self.rng.choice([b"NAND", b"", b"AN", b"NOTT"])
            return argv, True
        return argv, False

    def getset(self):
        argv = [b"GETSET", self.key(), self.value()]
        if self.malformed():
            return self.wrong_arity(argv), True
        return argv, False

    def incrbyfloat(self):
        argv = [b"INCRBYFLOAT", self.key(), self.rng.choice(FLOAT_TEXTS)]
        if self.malformed():
            if self.rng.random() < 0.7:
                argv[2] = self.rng.choice(BAD_FLOATS)
                return argv, True
            return self.wrong_arity(argv), True
        return argv, False

    def helper(self):
        r = self.rng.random()
        if r < 0.35:
            argv = [b"SET", self.key(), self.value()]
            if self.rng.random() < 0.3:
                argv += [b"EXAT", self.b(EXPIRE_AT)]
            return argv, False
        if r < 0.55:
            return [b"GET", self.key()], False
        if r < 0.7:
            return [b"DEL", self.key()], False
        if r < 0.85:
            return [b"EXPIRETIME", self.key()], False
        return [b"STRLEN", self.key()], False

    def next(self):
        builders = [self.getrange, self.setrange, self.getbit, self.setbit, self.bitcount,
                    self.bitpos, self.bitop, self.lcs, self.getset, self.incrbyfloat, self.helper]
        weights = [10, 9, 8, 9, 10, 10, 8, 8, 6, 10, 14]
        return self.rng.choices(builders, weights)[0]()


def seed_from_env():
    text = os.environ.get("SHOAL_STRING_DIFF_SEED", "")
    if text == "random":
        return random.SystemRandom().randrange(1 << 32)
    return int(text) if text else SEED_DEFAULT


class ReferenceRedis(harness.Server):
    """The redis-server every reply is compared with, started whichever mode the suite runs in,
    with the configuration equivalent to the shoald under test (harness.Server._redis_argv:
    --save "" --appendonly no, proto-max-bulk-len from max_value_bytes)."""

    def _shoal_argv(self):
        self.port = harness.free_port()
        return self._redis_argv(self.port)

    def _wait_for_listen_line(self, deadline):
        return self.port


class StringDiffTest(ServerTestCase):
    SERVER_FLAGS = {"max_value_bytes": "1mb"}

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.reference = ReferenceRedis(**cls.SERVER_FLAGS)
        try:
            cls.reference.start()
        except BaseException:
            cls.reference.cleanup()
            super().tearDownClass()
            raise

    @classmethod
    def tearDownClass(cls):
        try:
            code = cls.reference.stop()
            if code != 0:
                raise AssertionError("reference redis-server exited with %s" % code)
        finally:
            cls.reference.cleanup()
            super().tearDownClass()

    def connections(self, server):
        """A RESP2 and a RESP3 connection to server."""
        resp2 = server.raw()
        resp3 = server.raw()
        hello = resp3.call("HELLO", "3")
        self.assertIsInstance(hello, dict, hello)
        return resp2, resp3

    def test_replies_match_redis_byte_for_byte(self):
        seed = seed_from_env()
        count = int(os.environ.get("SHOAL_STRING_DIFF_COMMANDS", COMMANDS_DEFAULT))
        replay = "SHOAL_STRING_DIFF_SEED=%d SHOAL_STRING_DIFF_COMMANDS=%d" % (seed, count)
        print("string_diff: seed=%d commands=%d (replay: %s)" % (seed, count, replay), flush=True)
        ours = self.connections(self.server)
        theirs = self.connections(self.reference)
        for c in ours[:1] + theirs[:1]:
            self.assertEqual(c.call("FLUSHALL"), "OK")
        gen = Generator(seed)
        malformed = 0
        mismatches = []
        names = {}
        start = time.monotonic()
        for i in range(count):
            argv, bad = gen.next()
            malformed += bad
            names[argv[0].upper()] = names.get(argv[0].upper(), 0) + 1
            resp = 1 if gen.rng.random() < RESP3_SHARE else 0
            ours[resp].call(*argv)
            theirs[resp].call(*argv)
            if ours[resp].last_raw != theirs[resp].last_raw:
                mismatches.append((i, resp, argv, theirs[resp].last_raw, ours[resp].last_raw))
        # The final state, key by key.
        for k in KEYS:
            for cmd in (("GET", k), ("EXPIRETIME", k)):
                ours[0].call(*cmd)
                theirs[0].call(*cmd)
                if ours[0].last_raw != theirs[0].last_raw:
                    mismatches.append(("end", 0, cmd, theirs[0].last_raw, ours[0].last_raw))
        elapsed = time.monotonic() - start
        for c in ours + theirs:
            c.close()
        print("string_diff: %d commands in %.1f s, %.0f%% malformed, by name: %s"
              % (count, elapsed, 100.0 * malformed / max(count, 1),
                 " ".join("%s=%d" % (n.decode(), c) for n, c in sorted(names.items()))),
              flush=True)
        if mismatches:
            lines = ["%d replies differ from redis-server (reproduce with %s); first %d:"
                     % (len(mismatches), replay, min(len(mismatches), MISMATCHES_SHOWN))]
            for i, resp, argv, want, got in mismatches[:MISMATCHES_SHOWN]:
                shown = [a[:60] if isinstance(a, bytes) else a for a in argv]
                lines.append("  #%s RESP%d %r\n    redis: %r\n    shoal: %r"
                             % (i, 3 if resp else 2, shown, want[:300], got[:300]))
            self.fail("\n".join(lines))
        if count >= 1000:
            self.assertGreaterEqual(malformed / count, 0.30, "the generator lost its bad inputs")
        self.assertServerAlive()


if __name__ == "__main__":
    harness.main()
