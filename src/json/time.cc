#include "json/time.h"

#include <cctype>
#include <chrono>
#include <cstdint>
#include <cstdio>

namespace canopy::json {
namespace {

using namespace std::chrono;

// Reads exactly `digits` decimal digits at `pos`.
bool read_fixed(std::string_view s, std::size_t& pos, int digits, int& out) {
  if (pos + digits > s.size()) return false;
  out = 0;
  for (int i = 0; i < digits; ++i) {
    char c = s[pos + i];
    if (!std::isdigit(static_cast<unsigned char>(c))) return false;
    out = out * 10 + (c - '0');
  }
  pos += digits;
  return true;
}

bool expect(std::string_view s, std::size_t& pos, char c) {
  if (pos < s.size() && s[pos] == c) {
    ++pos;
    return true;
  }
  return false;
}

std::optional<Timestamp> parse_relative(std::string_view s, Timestamp now, std::string* error) {
  if (s == "now") return now;
  int sign = s[0] == '-' ? -1 : 1;
  std::size_t pos = 1;
  milliseconds total{0};
  bool any = false;
  while (pos < s.size()) {
    std::int64_t n = 0;
    std::size_t start = pos;
    while (pos < s.size() && std::isdigit(static_cast<unsigned char>(s[pos]))) {
      n = n * 10 + (s[pos] - '0');
      if (n > 1'000'000'000) {
        *error = "relative time too large";
        return std::nullopt;
      }
      ++pos;
    }
    if (pos == start || pos == s.size()) {
      *error = "expected a number followed by a unit (s, m, h, d, w), as in -1h or -30m";
      return std::nullopt;
    }
    switch (s[pos++]) {
      case 's': total += seconds(n); break;
      case 'm': total += minutes(n); break;
      case 'h': total += hours(n); break;
      case 'd': total += days(n); break;
      case 'w': total += weeks(n); break;
      default:
        *error = std::string("unknown unit '") + s[pos - 1] + "' (use s, m, h, d or w)";
        return std::nullopt;
    }
    any = true;
  }
  if (!any) {
    *error = "expected a number and unit after the sign, as in -1h";
    return std::nullopt;
  }
  return now + sign * total;
}

std::optional<Timestamp> parse_iso(std::string_view s, std::string* error) {
  std::size_t pos = 0;
  int y, mo, d, h = 0, mi = 0, sec = 0, ms = 0;
  const char* shape = "expected YYYY-MM-DD[THH:MM[:SS[.mmm]]][Z|±HH:MM]";
  if (!read_fixed(s, pos, 4, y) || !expect(s, pos, '-') || !read_fixed(s, pos, 2, mo) ||
      !expect(s, pos, '-') || !read_fixed(s, pos, 2, d)) {
    *error = shape;
    return std::nullopt;
  }
  year_month_day ymd{year{y}, month{static_cast<unsigned>(mo)}, day{static_cast<unsigned>(d)}};
  if (!ymd.ok()) {
    *error = "no such date";
    return std::nullopt;
  }
  minutes offset{0};
  if (pos < s.size()) {
    if (!(expect(s, pos, 'T') || expect(s, pos, ' ')) || !read_fixed(s, pos, 2, h) ||
        !expect(s, pos, ':') || !read_fixed(s, pos, 2, mi)) {
      *error = shape;
      return std::nullopt;
    }
    if (expect(s, pos, ':')) {
      if (!read_fixed(s, pos, 2, sec)) {
        *error = shape;
        return std::nullopt;
      }
      if (expect(s, pos, '.')) {
        // 1 to 9 fraction digits; keep milliseconds.
        int digits = 0;
        ms = 0;
        while (pos < s.size() && std::isdigit(static_cast<unsigned char>(s[pos]))) {
          if (digits < 3) ms = ms * 10 + (s[pos] - '0');
          ++digits;
          ++pos;
        }
        if (digits == 0 || digits > 9) {
          *error = shape;
          return std::nullopt;
        }
        for (int i = digits; i < 3; ++i) ms *= 10;
      }
    }
    if (h > 23 || mi > 59 || sec > 60) {
      *error = "time of day out of range";
      return std::nullopt;
    }
    if (expect(s, pos, 'Z')) {
    } else if (pos < s.size() && (s[pos] == '+' || s[pos] == '-')) {
      int sign = s[pos++] == '-' ? -1 : 1;
      int oh, om;
      if (!read_fixed(s, pos, 2, oh) || !expect(s, pos, ':') || !read_fixed(s, pos, 2, om) ||
          oh > 23 || om > 59) {
        *error = "bad UTC offset (expected ±HH:MM)";
        return std::nullopt;
      }
      offset = sign * (hours(oh) + minutes(om));
    }
    if (pos != s.size()) {
      *error = shape;
      return std::nullopt;
    }
  }
  return Timestamp{sys_days{ymd}.time_since_epoch() + hours(h) + minutes(mi) + seconds(sec) +
                   milliseconds(ms) - offset};
}

}  // namespace

std::optional<Timestamp> parse_time_arg(std::string_view text, Timestamp now, std::string* error) {
  std::string ignored;
  if (!error) error = &ignored;
  if (text.empty()) {
    *error = "empty time";
    return std::nullopt;
  }
  if (text == "now" || text[0] == '-' || text[0] == '+') return parse_relative(text, now, error);
  if (text[0] == '@') {
    std::int64_t v = 0;
    if (text.size() < 2 || text.size() > 17) {
      *error = "expected @ and milliseconds since the epoch";
      return std::nullopt;
    }
    for (char c : text.substr(1)) {
      if (!std::isdigit(static_cast<unsigned char>(c))) {
        *error = "expected @ and milliseconds since the epoch";
        return std::nullopt;
      }
      v = v * 10 + (c - '0');
    }
    return Timestamp{milliseconds(v)};
  }
  return parse_iso(text, error);
}

void append_time(std::string& out, Timestamp t) {
  const auto day = floor<days>(t);
  const year_month_day ymd{day};
  const hh_mm_ss<milliseconds> tod{t - day};
  const int year = int(ymd.year());
  if (year < 0 || year > 9999) {  // outside the fixed-width form below
    char buf[48];
    std::snprintf(buf, sizeof buf, "%04d-%02u-%02uT%02d:%02d:%02d.%03dZ", year, unsigned(ymd.month()),
                  unsigned(ymd.day()), int(tod.hours().count()), int(tod.minutes().count()),
                  int(tod.seconds().count()), int(tod.subseconds().count()));
    out += buf;
    return;
  }
  // YYYY-MM-DDTHH:MM:SS.mmmZ written digit by digit: no printf per metric.
  char b[24];
  auto put = [&](int pos, int value, int width) {
    for (int k = width - 1; k >= 0; --k, value /= 10) b[pos + k] = static_cast<char>('0' + value % 10);
  };
  put(0, year, 4);
  b[4] = '-';
  put(5, int(unsigned(ymd.month())), 2);
  b[7] = '-';
  put(8, int(unsigned(ymd.day())), 2);
  b[10] = 'T';
  put(11, int(tod.hours().count()), 2);
  b[13] = ':';
  put(14, int(tod.minutes().count()), 2);
  b[16] = ':';
  put(17, int(tod.seconds().count()), 2);
  b[19] = '.';
  put(20, int(tod.subseconds().count()), 3);
  b[23] = 'Z';
  out.append(b, sizeof b);
}

std::string format_time(Timestamp t) {
  std::string out;
  append_time(out, t);
  return out;
}

}  // namespace canopy::json
