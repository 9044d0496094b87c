// SpoolFs: the file-system calls under the spool, behind one interface (the
// shape of LevelDB's Env), so tests can make any of them fail — ENOSPC, EIO,
// a failed msync or unlink — and check that the spool either keeps every
// acknowledged metric or tells the caller. posix_spool_fs() is the real one.
//
// Each call returns 0 or an errno value (never sets errno for the caller).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

namespace canopy::store {

class SpoolFs {
 public:
  virtual ~SpoolFs() = default;
  // Creates `path` exclusively for reading and writing; *fd on success.
  virtual int create(const std::string& path, int* fd) = 0;
  // Reserves `bytes` of disk for `fd` (a full disk fails here).
  virtual int allocate(int fd, std::size_t bytes) = 0;
  // The file's size in bytes (checked after allocate: a file shorter than
  // its mapping would turn a store into SIGBUS).
  virtual int size(int fd, std::size_t* bytes) = 0;
  // Maps `bytes` of `fd` shared, read-write, pages faulted in; *map on success.
  virtual int map(int fd, std::size_t bytes, std::uint8_t** map) = 0;
  // Writes the mapping's dirty pages to disk and waits.
  virtual int sync(std::uint8_t* map, std::size_t bytes) = 0;
  virtual int unmap(std::uint8_t* map, std::size_t bytes) = 0;
  virtual int truncate(int fd, std::size_t bytes) = 0;
  virtual int close(int fd) = 0;
  virtual int unlink(const std::string& path) = 0;
};

// The process's real file system (POSIX calls).
SpoolFs& posix_spool_fs();

}  // namespace canopy::store
