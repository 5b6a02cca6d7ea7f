// replay_<target>: runs a fuzz target's LLVMFuzzerTestOneInput over files, without libFuzzer, in
// name order, then calls the target's Report() if it has one (the command target prints which
// command-table entries its inputs reached). Used by ./dev to replay the checked-in corpus and
// regressions and print that report, and by hand under gdb or valgrind:
//   build-fuzz/bin/replay_command tests/fuzz/corpus/command tests/fuzz/regressions/command
// Arguments are files or folders (a folder's plain files, not its subfolders). Exit status: 0, or
// Report()'s status; a failing check aborts as it does under libFuzzer.
#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <system_error>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size);
extern "C" __attribute__((weak)) int LLVMFuzzerInitialize(int* argc, char*** argv);

namespace shoal::fuzz {
// Defined by targets that have something to say after a replay; returns an exit status.
__attribute__((weak)) int Report();
}  // namespace shoal::fuzz

namespace {

// Inputs larger than this are not fuzz inputs (libFuzzer's own -max_len default is 4096).
constexpr std::uintmax_t kInputBytesMax = 16 * 1024 * 1024;

bool CollectInputs(const std::filesystem::path& path, std::vector<std::filesystem::path>& out) {
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) {
    for (const auto& entry : std::filesystem::directory_iterator(path, ec)) {
      if (entry.is_regular_file()) out.push_back(entry.path());
    }
    return !ec;
  }
  if (!std::filesystem::is_regular_file(path, ec)) return false;
  out.push_back(path);
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  if (LLVMFuzzerInitialize != nullptr) LLVMFuzzerInitialize(&argc, &argv);
  std::vector<std::filesystem::path> inputs;
  for (int i = 1; i < argc; ++i) {
    if (!CollectInputs(argv[i], inputs)) {
      std::fprintf(stderr, "replay: %s is not a file or folder\n", argv[i]);
      return 2;
    }
  }
  std::sort(inputs.begin(), inputs.end());
  for (const std::filesystem::path& path : inputs) {
    if (std::filesystem::file_size(path) > kInputBytesMax) {
      std::fprintf(stderr, "replay: %s is over %ju bytes\n", path.c_str(), kInputBytesMax);
      return 2;
    }
    std::ifstream file(path, std::ios::binary);
    const std::string bytes((std::istreambuf_iterator<char>(file)),
                            std::istreambuf_iterator<char>());
    LLVMFuzzerTestOneInput(reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size());
  }
  std::printf("replayed %zu inputs\n", inputs.size());
  return shoal::fuzz::Report != nullptr ? shoal::fuzz::Report() : 0;
}
