#include "store/spool_fs.h"

#include <sys/stat.h>

#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cerrno>

namespace canopy::store {
namespace {

class PosixSpoolFs final : public SpoolFs {
 public:
  int create(const std::string& path, int* fd) override {
    *fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
    return *fd < 0 ? errno : 0;
  }
  int allocate(int fd, std::size_t bytes) override { return ::posix_fallocate(fd, 0, static_cast<off_t>(bytes)); }
  int size(int fd, std::size_t* bytes) override {
    struct stat st {};
    if (::fstat(fd, &st) != 0) return errno;
    *bytes = static_cast<std::size_t>(st.st_size);
    return 0;
  }
  int map(int fd, std::size_t bytes, std::uint8_t** map) override {
    // MAP_POPULATE: fault every page in now, not one fault per 4 KiB inside append().
    void* m = ::mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, fd, 0);
    if (m == MAP_FAILED) return errno;
    *map = static_cast<std::uint8_t*>(m);
    return 0;
  }
  int sync(std::uint8_t* map, std::size_t bytes) override { return ::msync(map, bytes, MS_SYNC) == 0 ? 0 : errno; }
  int unmap(std::uint8_t* map, std::size_t bytes) override { return ::munmap(map, bytes) == 0 ? 0 : errno; }
  int truncate(int fd, std::size_t bytes) override {
    return ::ftruncate(fd, static_cast<off_t>(bytes)) == 0 ? 0 : errno;
  }
  int close(int fd) override { return ::close(fd) == 0 ? 0 : errno; }
  int unlink(const std::string& path) override { return ::unlink(path.c_str()) == 0 ? 0 : errno; }
};

}  // namespace

SpoolFs& posix_spool_fs() {
  static PosixSpoolFs fs;
  return fs;
}

}  // namespace canopy::store
