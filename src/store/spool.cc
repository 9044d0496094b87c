#include "store/spool.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <charconv>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>

#include "canopy/errors.h"
#include "store/crc32c.h"

namespace canopy::store {
namespace {

constexpr std::uint8_t kFullRecord = 1;

std::string errno_text() { return std::strerror(errno); }

void put_u32(std::uint8_t* p, std::uint32_t v) {
  for (int i = 0; i < 4; ++i) p[i] = static_cast<std::uint8_t>(v >> (8 * i));
}
std::uint32_t get_u32(const std::uint8_t* p) {
  return std::uint32_t(p[0]) | std::uint32_t(p[1]) << 8 | std::uint32_t(p[2]) << 16 | std::uint32_t(p[3]) << 24;
}

}  // namespace

std::string spool_segment_path(const std::string& dir, std::uint64_t segment) {
  char name[40];
  std::snprintf(name, sizeof name, "seg-%016llu.log", static_cast<unsigned long long>(segment));
  return dir + "/" + name;
}

std::vector<std::uint64_t> list_spool_segments(const std::string& dir) {
  std::vector<std::uint64_t> ids;
  std::error_code ec;
  for (const auto& e : std::filesystem::directory_iterator(dir, ec)) {
    std::string n = e.path().filename().string();
    if (n.size() == 24 && n.starts_with("seg-") && n.ends_with(".log")) {
      // Anything else in the folder (a stray seg-junk.log too) is not ours: left alone.
      std::uint64_t id = 0;
      const char* first = n.data() + 4;
      const char* last = first + 16;
      const auto parsed = std::from_chars(first, last, id);
      if (parsed.ec == std::errc() && parsed.ptr == last) ids.push_back(id);
    }
  }
  std::sort(ids.begin(), ids.end());
  return ids;
}

// ---------------------------------------------------------------- writer

SpoolWriter::SpoolWriter(const std::string& base_dir, std::size_t segment_bytes, SpoolFs& fs)
    : fs_(fs), segment_bytes_(std::max<std::size_t>(segment_bytes, kSpoolBlockSize)) {
  segment_bytes_ -= segment_bytes_ % kSpoolBlockSize;
  std::error_code ec;
  std::filesystem::create_directories(base_dir, ec);
  if (ec) throw SpoolError("cannot create spool directory " + base_dir + ": " + ec.message());
  for (int n = 0; n < 64 && lock_fd_ < 0; ++n) {
    std::string dir = base_dir + "/" + std::to_string(n);
    std::filesystem::create_directories(dir, ec);
    if (ec) throw SpoolError("cannot create spool directory " + dir + ": " + ec.message());
    int fd = ::open((dir + "/LOCK").c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0) throw SpoolError("cannot open " + dir + "/LOCK: " + errno_text());
    if (::flock(fd, LOCK_EX | LOCK_NB) == 0) {
      lock_fd_ = fd;
      dir_ = dir;
    } else {
      ::close(fd);
    }
  }
  if (lock_fd_ < 0) throw SpoolError("every spool instance under " + base_dir + " is locked by another process");
  recovered_ = list_spool_segments(dir_);
  next_id_ = recovered_.empty() ? 1 : recovered_.back() + 1;
}

SpoolWriter::~SpoolWriter() {
  sync();
  close_segment();
  if (lock_fd_ >= 0) ::close(lock_fd_);
}

bool SpoolWriter::open_segment(std::uint64_t id) {
  std::string path = spool_segment_path(dir_, id);
  int fd = -1;
  if (int rc = fs_.create(path, &fd); rc != 0) {
    error_ = "cannot create spool segment " + path + ": " + std::strerror(rc);
    return false;
  }
  auto give_up = [&](const std::string& what, int rc) {
    error_ = what + path + ": " + std::strerror(rc);
    fs_.close(fd);
    fs_.unlink(path);
    return false;
  };
  // Reserve the blocks now so that a full disk fails here, not as SIGBUS on
  // a store into the mapping.
  if (int rc = fs_.allocate(fd, segment_bytes_); rc != 0) {
    return give_up("cannot allocate " + std::to_string(segment_bytes_) + " bytes for ", rc);
  }
  // A short allocation (reported as success) must not be mapped whole.
  std::size_t reserved = 0;
  if (int rc = fs_.size(fd, &reserved); rc != 0) return give_up("cannot stat spool segment ", rc);
  if (reserved < segment_bytes_) {
    return give_up("short allocation: " + std::to_string(reserved) + " of " + std::to_string(segment_bytes_) +
                       " bytes reserved for ",
                   ENOSPC);
  }
  std::uint8_t* map = nullptr;
  if (int rc = fs_.map(fd, segment_bytes_, &map); rc != 0) return give_up("cannot map spool segment ", rc);
  fd_ = fd;
  map_ = map;
  segment_ = id;
  offset_ = 0;
  return true;
}

bool SpoolWriter::close_segment() {
  if (fd_ < 0) return true;
  // No sync here: this runs inside append() when a segment is full, and the
  // page cache already protects against the death of the process. sync()
  // (called by close()) is what writes to the disk.
  bool ok = true;
  const std::string path = spool_segment_path(dir_, segment_);
  if (int rc = fs_.unmap(map_, segment_bytes_); rc != 0) {
    error_ = "cannot unmap spool segment " + path + ": " + std::strerror(rc);
    ok = false;
  }
  // A failed trim leaves zero padding at the end: readers skip it.
  if (int rc = fs_.truncate(fd_, offset_); rc != 0) {
    error_ = "cannot trim spool segment " + path + ": " + std::strerror(rc);
    ok = false;
  }
  fs_.close(fd_);
  fd_ = -1;
  map_ = nullptr;
  return ok;
}

bool SpoolWriter::sync() {
  if (map_ == nullptr) return true;
  if (int rc = fs_.sync(map_, segment_bytes_); rc != 0) {
    error_ = "cannot sync spool segment " + spool_segment_path(dir_, segment_) + " to disk: " + std::strerror(rc);
    return false;
  }
  return true;
}

bool SpoolWriter::append_opens_segment(std::size_t size) const {
  if (fd_ < 0) return true;
  const std::size_t need = kSpoolHeaderSize + size;
  std::size_t offset = offset_;
  const std::size_t left_in_block = kSpoolBlockSize - offset % kSpoolBlockSize;
  if (left_in_block < need) offset += left_in_block;
  return offset + need > segment_bytes_;
}

bool SpoolWriter::append(std::span<const std::uint8_t> payload, SpoolPosition* where) {
  const std::size_t need = kSpoolHeaderSize + payload.size();
  if (need > kSpoolBlockSize) {
    error_ = "spool record of " + std::to_string(payload.size()) + " bytes exceeds a block";
    return false;
  }
  if (fd_ >= 0) {
    std::size_t left_in_block = kSpoolBlockSize - offset_ % kSpoolBlockSize;
    if (left_in_block < need) offset_ += left_in_block;  // the tail stays zero: padding
    if (offset_ + need > segment_bytes_) {
      close_segment();
    }
  }
  if (fd_ < 0) {
    if (!open_segment(next_id_)) return false;
    ++next_id_;
  }
  std::uint8_t* h = map_ + offset_;
  std::uint32_t crc = crc32c_extend(crc32c(&kFullRecord, 1), payload.data(), payload.size());
  // Payload first, header last: a reader never sees a valid header over an
  // unwritten payload (it is bounded by end() anyway; this protects readers
  // of a crashed segment in the unlikely case of torn page writes).
  std::memcpy(h + kSpoolHeaderSize, payload.data(), payload.size());
  h[4] = static_cast<std::uint8_t>(payload.size());
  h[5] = static_cast<std::uint8_t>(payload.size() >> 8);
  h[6] = kFullRecord;
  put_u32(h, crc32c_mask(crc));
  if (where != nullptr) *where = {segment_, offset_};
  offset_ += need;
  return true;
}

bool SpoolWriter::remove_segment(std::uint64_t segment) {
  if (segment == segment_ && fd_ >= 0) return true;  // still being appended to
  const std::string path = spool_segment_path(dir_, segment);
  if (int rc = fs_.unlink(path); rc != 0 && rc != ENOENT) {
    error_ = "cannot remove spool segment " + path + ": " + std::strerror(rc);
    return false;
  }
  return true;
}

// ---------------------------------------------------------------- reader

SpoolReader::SpoolReader(std::string dir, SpoolPosition from) : dir_(std::move(dir)), pos_(from) {}

SpoolReader::~SpoolReader() {
  if (fd_ >= 0) ::close(fd_);
}

bool SpoolReader::open_file() {
  if (fd_ >= 0 && file_segment_ == pos_.segment) return true;
  if (fd_ >= 0) ::close(fd_);
  fd_ = ::open(spool_segment_path(dir_, pos_.segment).c_str(), O_RDONLY | O_CLOEXEC);
  file_segment_ = pos_.segment;
  buf_.clear();
  buf_off_ = 0;
  buf_valid_end_ = 0;
  return fd_ >= 0;
}

bool SpoolReader::fetch(std::uint64_t off, std::size_t n, const std::uint8_t** out) {
  // Bytes past valid_end_ were read while the writer was still appending
  // there (the live segment): they may be stale, so read them again.
  if (off < buf_off_ || off + n > buf_valid_end_) {
    // (Re)read the block holding `off`; the file may have grown since.
    std::uint64_t block = off - off % kSpoolBlockSize;
    buf_.resize(kSpoolBlockSize);
    ssize_t got = ::pread(fd_, buf_.data(), kSpoolBlockSize, static_cast<off_t>(block));
    buf_.resize(got > 0 ? static_cast<std::size_t>(got) : 0);
    buf_off_ = block;
    buf_valid_end_ = std::min<std::uint64_t>(buf_off_ + buf_.size(), fetch_limit_);
    if (off + n > buf_off_ + buf_.size()) return false;
  }
  *out = buf_.data() + (off - buf_off_);
  return true;
}

void SpoolReader::next_segment() {
  ++pos_.segment;
  pos_.offset = 0;
}

SpoolReader::Status SpoolReader::next(std::vector<std::uint8_t>& payload, SpoolPosition limit, SpoolPosition* where) {
  bool listed = false;
  while (true) {
    if (pos_ >= limit) return Status::kEnd;
    if (pos_.segment < limit.segment && pos_.segment > max_segment_ && !listed) {
      auto ids = list_spool_segments(dir_);
      max_segment_ = ids.empty() ? 0 : ids.back();
      listed = true;
    }
    if (!open_file()) {
      // Missing segment: deleted or never created. Skip it if later ones exist.
      if (pos_.segment < limit.segment && pos_.segment < max_segment_) {
        next_segment();
        continue;
      }
      if (limit.segment != UINT64_MAX && pos_.segment < limit.segment) {
        next_segment();
        continue;
      }
      return Status::kEnd;
    }
    const bool closed = pos_.segment < limit.segment;  // read to the file's end
    fetch_limit_ = closed ? UINT64_MAX : limit.offset;
    std::uint64_t in_block = pos_.offset % kSpoolBlockSize;
    if (kSpoolBlockSize - in_block < kSpoolHeaderSize) {
      pos_.offset += kSpoolBlockSize - in_block;
      continue;
    }
    const std::uint8_t* h = nullptr;
    if (!fetch(pos_.offset, kSpoolHeaderSize, &h)) {
      if (closed) {
        next_segment();
        continue;
      }
      return Status::kEnd;  // truncated tail of the live/last segment
    }
    std::uint32_t masked = get_u32(h);
    std::size_t len = std::size_t(h[4]) | std::size_t(h[5]) << 8;
    std::uint8_t type = h[6];
    if (masked == 0 && len == 0 && type == 0) {  // padding or preallocated space
      pos_.offset += kSpoolBlockSize - in_block;
      continue;
    }
    if (type != kFullRecord || in_block + kSpoolHeaderSize + len > kSpoolBlockSize) {
      ++corrupt_;
      pos_.offset += kSpoolBlockSize - in_block;
      continue;
    }
    const std::uint8_t* p = nullptr;
    if (!fetch(pos_.offset + kSpoolHeaderSize, len, &p)) {
      // Header written, payload cut off: the writer died mid-append. Every
      // whole record before it was returned; this one is counted (once).
      if (torn_at_ != pos_) {
        torn_at_ = pos_;
        ++torn_;
      }
      if (closed) {
        next_segment();
        continue;
      }
      return Status::kEnd;
    }
    std::uint32_t crc = crc32c_extend(crc32c(&type, 1), p, len);
    if (crc32c_unmask(masked) != crc) {
      ++corrupt_;
      pos_.offset += kSpoolBlockSize - in_block;
      continue;
    }
    payload.assign(p, p + len);
    if (where != nullptr) *where = pos_;
    pos_.offset += kSpoolHeaderSize + len;
    return Status::kRecord;
  }
}

}  // namespace canopy::store
