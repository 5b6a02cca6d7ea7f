// Tests of net/state_file.h: a durable write replaces the file whole and leaves no temporary
// behind; a missing file reads as absent, an unreadable path or an oversized file as an error.
#include "net/state_file.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <string>

#include "gtest/gtest.h"

namespace shoal::net {
namespace {

std::string TempDir() {
  char templ[] = "/tmp/shoal-state-file-XXXXXX";
  const char* dir = ::mkdtemp(templ);
  EXPECT_NE(dir, nullptr);
  return dir == nullptr ? "/tmp" : dir;
}

TEST(StateFileTest, AWriteReplacesTheFileWholeAndLeavesNoTemporary) {
  const std::string dir = TempDir();
  const std::string path = dir + "/voter-state";
  EXPECT_FALSE(ReadWholeFile(path, 100).contents.has_value());
  EXPECT_TRUE(ReadWholeFile(path, 100).error.empty());  // absent is not an error
  ASSERT_EQ(WriteFileDurably(path, std::string("first\0state", 11)), "");
  EXPECT_EQ(ReadWholeFile(path, 100).contents, std::string("first\0state", 11));
  ASSERT_EQ(WriteFileDurably(path, "2nd"), "");
  EXPECT_EQ(ReadWholeFile(path, 100).contents, "2nd");
  EXPECT_NE(::access((path + ".tmp").c_str(), F_OK), 0);
  struct stat st {};
  ASSERT_EQ(::stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);  // only the node's user reads what it voted
  const FileRead big = ReadWholeFile(path, 2);
  EXPECT_FALSE(big.contents.has_value());
  EXPECT_NE(big.error.find("larger than 2 bytes"), std::string::npos) << big.error;
  ::unlink(path.c_str());
  ::rmdir(dir.c_str());
}

TEST(StateFileTest, FailuresNameThePath) {
  const std::string error = WriteFileDurably("/nonexistent-dir/voter-state", "x");
  EXPECT_NE(error.find("/nonexistent-dir/voter-state.tmp"), std::string::npos) << error;
  const FileRead dir = ReadWholeFile("/", 100);  // a directory: open works, read fails
  EXPECT_FALSE(dir.contents.has_value());
  EXPECT_FALSE(dir.error.empty());
}

}  // namespace
}  // namespace shoal::net
