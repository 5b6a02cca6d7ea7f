#!/usr/bin/env python3
"""The installed client package, used by a project outside Shoal's build (acceptance 1 of the
client issue): `cmake --install` into a temporary prefix, configure and build
tests/integration/client/consumer/ with find_package(shoal) + shoal::client, run it against a live server.

Run: /usr/bin/python3 client_package_test.py --shoald BUILD/bin/shoald  (the build tree is the
one holding that shoald; SHOAL_CLIENT_BUILD_DIR overrides it, e.g. with --redis).
"""

import os
import re
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
from harness import ServerTestCase  # noqa: E402

SOURCE_DIR = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def build_dir():
    if os.environ.get("SHOAL_CLIENT_BUILD_DIR"):
        return os.environ["SHOAL_CLIENT_BUILD_DIR"]
    return os.path.dirname(os.path.dirname(harness.SHOALD_PATH or ""))


class ClientPackageTest(ServerTestCase):
    def run_step(self, argv, timeout=300):
        out = subprocess.run(argv, capture_output=True, timeout=timeout)
        self.assertEqual(out.returncode, 0, "%s failed:\n%s\n%s"
                         % (" ".join(argv), out.stdout.decode(errors="replace")[-3000:],
                            out.stderr.decode(errors="replace")[-3000:]))
        return out.stdout.decode(errors="replace")

    def test_consumer_built_from_the_installed_package_sets_gets_and_deletes(self):
        build = build_dir()
        self.assertTrue(os.path.exists(os.path.join(build, "CMakeCache.txt")),
                        "no build tree at %r" % build)
        work = tempfile.mkdtemp(prefix="shoal-package-")
        try:
            prefix = os.path.join(work, "prefix")
            self.run_step(["cmake", "--install", build, "--prefix", prefix,
                           "--component", "shoal_client"])
            for path in ("include/shoal/client.h", "include/shoal/blocking_client.h",
                         "lib/libshoal_client.a", "lib/cmake/shoal/shoalConfig.cmake",
                         "lib/cmake/shoal/shoalConfigVersion.cmake",
                         "lib/cmake/shoal/shoalTargets.cmake"):
                self.assertTrue(os.path.exists(os.path.join(prefix, path)), path)
            # The public headers stand alone: nothing from core/ or the private sources.
            for root, _, files in os.walk(os.path.join(prefix, "include")):
                for name in files:
                    with open(os.path.join(root, name)) as f:
                        text = f.read()
                    self.assertIsNone(re.search(r'#include\s+"(core|client)/', text), name)
            consumer = os.path.join(work, "consumer")
            generator = ["-G", "Ninja"] if shutil.which("ninja") else []
            source = os.path.join(SOURCE_DIR, "tests", "integration", "client", "consumer")
            self.run_step(["cmake", "-S", source, "-B", consumer, "-DCMAKE_PREFIX_PATH=" + prefix,
                           "-DCMAKE_BUILD_TYPE=Release"] + generator)
            self.run_step(["cmake", "--build", consumer, "-j", "1"])
            out = self.run_step([os.path.join(consumer, "consumer"),
                                 "127.0.0.1:%d" % self.server.port], timeout=60)
            self.assertIn("set, get, delete: ok", out)
        finally:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    harness.main()
