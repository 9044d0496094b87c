// The spool: a crash-safe, append-only local log of metric records, used
// when the backend cannot take metrics (buffer overflow) and, in
// Durability::kSpoolEach, for every metric before store_metric returns.
//
// Layout: a directory holding numbered segment files `seg-<16 digits>.log`
// and a LOCK file (flock) so that one process at a time owns it. Framing
// follows LevelDB's log: the file is a sequence of 32 KiB blocks; a record
// is a 7-byte header — masked crc32c of (type, payload) (u32 LE), payload
// length (u16 LE), type (u8, 1 = full record) — followed by the payload, and
// never spans blocks (a block's tail too small for the next record is left
// zero). Reading:
//   - a zero header is padding: skip to the next block;
//   - a header or payload cut off by the end of the file is a truncated tail
//     (the writer died mid-append): end of that segment, not corruption;
//   - a checksum or type mismatch is corruption: counted, and reading resumes
//     at the next block (only that block's remaining records are lost).
//
// Durability: segments are preallocated (posix_fallocate) and memory-mapped
// MAP_SHARED; append() copies the record into the mapping, i.e. into the
// kernel's page cache, before it returns. The data then survives the death
// of the process (SIGKILL, crash) exactly like data passed to write(2). It
// is not fsynced per record, nor when a full segment is closed (that happens
// inside append()); close() and the destructor msync the current segment.
// The kernel writes dirty pages back within ~30 s (vm.dirty_expire_centisecs),
// so a power loss or kernel crash can lose the last seconds of spool
// (documented in docs/store.md).
//
// Thread safety: SpoolWriter is not thread-safe (the writer calls it under
// its own mutex). SpoolReader reads files only and may run in another
// thread while the writer appends, provided it never reads past the
// position the writer reported (the `limit`).
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "store/spool_fs.h"

namespace canopy::store {

inline constexpr std::size_t kSpoolBlockSize = 32 * 1024;
inline constexpr std::size_t kSpoolHeaderSize = 7;
inline constexpr std::size_t kDefaultSegmentBytes = 4 * 1024 * 1024;

struct SpoolPosition {
  std::uint64_t segment = 0;
  std::uint64_t offset = 0;
  friend auto operator<=>(const SpoolPosition&, const SpoolPosition&) = default;
};

std::string spool_segment_path(const std::string& dir, std::uint64_t segment);
// Segment ids present in `dir`, ascending.
std::vector<std::uint64_t> list_spool_segments(const std::string& dir);

class SpoolWriter {
 public:
  // Takes the first free instance directory `<base>/<n>` (n = 0, 1, ...,
  // created if needed) by flock'ing its LOCK file, so a restarted process
  // finds what it left. Throws canopy::SpoolError naming the path on failure.
  // File operations go through `fs` (spool_fs.h; tests inject faults).
  explicit SpoolWriter(const std::string& base_dir, std::size_t segment_bytes = kDefaultSegmentBytes,
                       SpoolFs& fs = posix_spool_fs());
  // Syncs and closes the current segment (trimmed to its used length).
  ~SpoolWriter();
  SpoolWriter(const SpoolWriter&) = delete;
  SpoolWriter& operator=(const SpoolWriter&) = delete;

  // The instance directory owned by this writer.
  const std::string& dir() const { return dir_; }
  // Segments that existed when the writer opened (left by an earlier
  // process), ascending. New segments get higher ids.
  const std::vector<std::uint64_t>& recovered_segments() const { return recovered_; }

  // Appends one record (payload ≤ kSpoolBlockSize - kSpoolHeaderSize bytes).
  // `where` receives the position of its header. Returns false on an I/O
  // error (last_error() says which file and why); nothing was written then.
  bool append(std::span<const std::uint8_t> payload, SpoolPosition* where);
  // True when appending a payload of `size` bytes opens a new segment.
  bool append_opens_segment(std::size_t size) const;
  // Position just after the last appended record (a reader limit).
  SpoolPosition end() const { return {segment_, offset_}; }
  // Id of the segment being appended to (0 before the first append).
  std::uint64_t current_segment() const { return segment_; }
  // True while a segment is open for appends (false after close()).
  bool segment_open() const { return fd_ >= 0; }
  // Deletes a segment file that is no longer needed (never the current
  // one). False (last_error() says why) if the file could not be removed:
  // its records are then replayed again by the next process (idempotent).
  bool remove_segment(std::uint64_t segment);
  // Writes the current segment's dirty pages to disk (msync MS_SYNC).
  // False (last_error() says why) if the kernel reported an error: the
  // records may then not survive a power loss.
  bool sync();
  // Syncs and closes the current segment; later appends open a new one.
  // False if the sync or the trim failed (last_error()).
  bool close() {
    bool ok = sync();
    return close_segment() && ok;
  }
  const std::string& last_error() const { return error_; }

 private:
  bool open_segment(std::uint64_t id);
  bool close_segment();

  SpoolFs& fs_;
  std::string dir_;
  int lock_fd_ = -1;
  std::size_t segment_bytes_;
  std::vector<std::uint64_t> recovered_;
  std::uint64_t next_id_ = 1;
  std::uint64_t segment_ = 0;
  std::uint64_t offset_ = 0;
  int fd_ = -1;
  std::uint8_t* map_ = nullptr;
  std::string error_;
};

class SpoolReader {
 public:
  enum class Status { kRecord, kEnd };

  // Reads records of `dir`'s segments in order, starting at `from`.
  SpoolReader(std::string dir, SpoolPosition from);
  ~SpoolReader();
  SpoolReader(const SpoolReader&) = delete;
  SpoolReader& operator=(const SpoolReader&) = delete;

  // Reads the next record before `limit` into `payload`. Segments below
  // limit.segment are read to their end (skipping missing ones); the limit
  // segment only up to limit.offset. kEnd when no record is left before
  // the limit. `where`, if given, receives the record's position.
  Status next(std::vector<std::uint8_t>& payload, SpoolPosition limit, SpoolPosition* where = nullptr);
  // Position of the next record to read.
  SpoolPosition position() const { return pos_; }
  // Checksum/type mismatches seen (each loses the rest of its block).
  std::uint64_t corrupt_records() const { return corrupt_; }
  // Records cut off by the end of their file (a writer that died
  // mid-append; preallocation makes this rare: a torn record then shows as
  // a checksum mismatch instead).
  std::uint64_t torn_records() const { return torn_; }

  // A limit that reads every existing segment to its end.
  static SpoolPosition read_all() { return {UINT64_MAX, UINT64_MAX}; }

 private:
  bool open_file();
  // Makes bytes [off, off + n) of the current file available in buf_;
  // false if the file is shorter.
  bool fetch(std::uint64_t off, std::size_t n, const std::uint8_t** out);
  void next_segment();

  std::string dir_;
  SpoolPosition pos_;
  std::uint64_t max_segment_ = 0;  // highest id present when the reader last listed
  int fd_ = -1;
  std::uint64_t file_segment_ = 0;
  std::vector<std::uint8_t> buf_;
  std::uint64_t buf_off_ = 0;
  std::uint64_t buf_valid_end_ = 0;  // file offset up to which buf_ is known current
  std::uint64_t fetch_limit_ = UINT64_MAX;
  std::uint64_t corrupt_ = 0;
  std::uint64_t torn_ = 0;
  SpoolPosition torn_at_{UINT64_MAX, 0};
};

}  // namespace canopy::store
