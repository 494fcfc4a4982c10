/* openrouter-c: RFC 3339 date-times and HTTP dates, without timegm(),
 * locales or the TZ environment: plain calendar arithmetic.
 *
 * openrouter_datetime_parse accepts exactly
 *     YYYY-MM-DD ("T" | "t") HH:MM:SS [ "." 1*9DIGIT ] ( "Z" | "z" | ("+"|"-") HH:MM )
 * with every field range-checked (days per month, leap years). Fractions
 * keep microseconds; digits past the sixth are truncated. A leap second
 * (SS = 60) is accepted, as RFC 3339 allows, and counted as second 59 of
 * that minute: Unix time has no slot for it. Years 0000-9999. */
#include <stdio.h>
#include <string.h>

#include "internal.h"

/* Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's
 * days_from_civil). */
static int64_t days_from_civil(int64_t y, unsigned m, unsigned d)
{
    y -= m <= 2;
    const int64_t era = (y >= 0 ? y : y - 399) / 400;
    const unsigned yoe = (unsigned)(y - era * 400);                          /* [0, 399] */
    const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;  /* [0, 365] */
    const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;              /* [0, 146096] */
    return era * 146097 + (int64_t)doe - 719468;
}

static void civil_from_days(int64_t z, int64_t *y_out, unsigned *m_out, unsigned *d_out)
{
    z += 719468;
    const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    const unsigned doe = (unsigned)(z - era * 146097);
    const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    const int64_t y = (int64_t)yoe + era * 400;
    const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    const unsigned mp = (5 * doy + 2) / 153;
    const unsigned d = doy - (153 * mp + 2) / 5 + 1;
    const unsigned m = mp < 10 ? mp + 3 : mp - 9;
    *y_out = y + (m <= 2);
    *m_out = m;
    *d_out = d;
}

static int is_leap(int64_t y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static unsigned days_in_month(int64_t y, unsigned m)
{
    static const unsigned char dim[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    return m == 2 && is_leap(y) ? 29 : dim[m - 1];
}

/* Reads exactly n ASCII digits. */
static int digits(const char *s, int n, unsigned *out)
{
    unsigned v = 0;
    for (int i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return -1;
        v = v * 10 + (unsigned)(s[i] - '0');
    }
    *out = v;
    return 0;
}

/* Validates a calendar date and time of day and returns its Unix seconds
 * (as if UTC). sec 60 counts as 59. */
static int civil_to_unix(int64_t year, unsigned mon, unsigned day, unsigned hour, unsigned min,
                         unsigned sec, int64_t *unix_s)
{
    if (mon < 1 || mon > 12 || day < 1 || day > days_in_month(year, mon) || hour > 23 ||
        min > 59 || sec > 60)
        return -1;
    if (sec == 60)
        sec = 59;
    *unix_s = days_from_civil(year, mon, day) * 86400 + (int64_t)hour * 3600 + (int64_t)min * 60 + sec;
    return 0;
}

int openrouter_datetime_parse(const char *text, int64_t *unix_us, int *utc_offset_minutes)
{
    if (!text)
        return -1;
    const char *s = text;
    unsigned year, mon, day, hour, min, sec;
    if (digits(s, 4, &year) || s[4] != '-' || digits(s + 5, 2, &mon) || s[7] != '-' ||
        digits(s + 8, 2, &day) || (s[10] != 'T' && s[10] != 't') || digits(s + 11, 2, &hour) ||
        s[13] != ':' || digits(s + 14, 2, &min) || s[16] != ':' || digits(s + 17, 2, &sec))
        return -1;
    s += 19;
    int64_t micros = 0;
    if (*s == '.') {
        s++;
        int n = 0;
        while (s[n] >= '0' && s[n] <= '9') {
            if (n < 6)
                micros = micros * 10 + (s[n] - '0');
            n++;
        }
        if (n < 1 || n > 9)
            return -1;
        for (int i = n; i < 6; i++)
            micros *= 10;
        s += n;
    }
    int offset = 0;
    if (*s == 'Z' || *s == 'z') {
        s++;
    } else if (*s == '+' || *s == '-') {
        unsigned oh, om;
        if (digits(s + 1, 2, &oh) || s[3] != ':' || digits(s + 4, 2, &om) || oh > 23 || om > 59)
            return -1;
        offset = (int)(oh * 60 + om);
        if (*s == '-')
            offset = -offset;
        s += 6;
    } else {
        return -1;
    }
    if (*s != '\0')
        return -1;
    int64_t secs;
    if (civil_to_unix(year, mon, day, hour, min, sec, &secs) != 0)
        return -1;
    secs -= (int64_t)offset * 60;
    if (unix_us)
        *unix_us = secs * 1000000 + micros;
    if (utc_offset_minutes)
        *utc_offset_minutes = offset;
    return 0;
}

int openrouter_datetime_format(int64_t unix_us, char *buf, size_t bufsize)
{
    if (!buf)
        return -1;
    /* Floor division, so times before 1970 work too. */
    int64_t secs = unix_us / 1000000, micros = unix_us % 1000000;
    if (micros < 0) {
        micros += 1000000;
        secs -= 1;
    }
    int64_t days = secs / 86400, sod = secs % 86400;
    if (sod < 0) {
        sod += 86400;
        days -= 1;
    }
    int64_t year;
    unsigned mon, day;
    civil_from_days(days, &year, &mon, &day);
    if (year < 0 || year > 9999)
        return -1;
    char tmp[OPENROUTER_DATETIME_BUFSIZE];
    int n;
    if (micros)
        n = snprintf(tmp, sizeof tmp, "%04d-%02u-%02uT%02d:%02d:%02d.%06dZ", (int)year, mon, day,
                     (int)(sod / 3600), (int)(sod / 60 % 60), (int)(sod % 60), (int)micros);
    else
        n = snprintf(tmp, sizeof tmp, "%04d-%02u-%02uT%02d:%02d:%02dZ", (int)year, mon, day,
                     (int)(sod / 3600), (int)(sod / 60 % 60), (int)(sod % 60));
    if (n < 0 || (size_t)n >= bufsize)
        return -1;
    memcpy(buf, tmp, (size_t)n + 1);
    return 0;
}

/* Seconds of 0000-01-01T00:00:00Z and 9999-12-31T23:59:59Z. */
#define OR_DATETIME_MIN_S (-62167219200LL)
#define OR_DATETIME_MAX_S 253402300799LL

static openrouter_datetime_text text_of_seconds(int64_t secs)
{
    openrouter_datetime_text t;
    t.text[0] = '\0';
    if (secs >= OR_DATETIME_MIN_S && secs <= OR_DATETIME_MAX_S &&
        openrouter_datetime_format(secs * 1000000, t.text, sizeof t.text) != 0)
        t.text[0] = '\0';
    return t;
}

openrouter_datetime_text openrouter_datetime_from_time(time_t t)
{
    return text_of_seconds((int64_t)t);
}

openrouter_datetime_text openrouter_datetime_from_now(int64_t seconds)
{
    int64_t now = (int64_t)time(NULL);
    /* Out of range either way rather than overflowing. */
    if (seconds > OR_DATETIME_MAX_S - now)
        return text_of_seconds(OR_DATETIME_MAX_S + 1);
    if (seconds < OR_DATETIME_MIN_S - now)
        return text_of_seconds(OR_DATETIME_MIN_S - 1);
    return text_of_seconds(now + seconds);
}

/* ---- HTTP dates (RFC 9110 section 5.6.7) -------------------------------- */

static int month_index(const char *s)
{
    static const char names[] = "JanFebMarAprMayJunJulAugSepOctNovDec";
    for (int i = 0; i < 12; i++)
        if (strncmp(s, names + 3 * i, 3) == 0) /* stops at a NUL in s */
            return i + 1;
    return -1;
}

static int day_name(const char *s, int long_form, size_t *len)
{
    static const char *const longs[] = {"Monday", "Tuesday", "Wednesday", "Thursday",
                                        "Friday", "Saturday", "Sunday"};
    for (int i = 0; i < 7; i++) {
        size_t n = long_form ? strlen(longs[i]) : 3;
        if (strncmp(s, longs[i], n) == 0) {
            *len = n;
            return 0;
        }
    }
    return -1;
}

/* "HH:MM:SS" */
static int clock_time(const char *s, unsigned *h, unsigned *m, unsigned *sec)
{
    return digits(s, 2, h) || s[2] != ':' || digits(s + 3, 2, m) || s[5] != ':' ||
                   digits(s + 6, 2, sec)
               ? -1
               : 0;
}

/* IMF-fixdate "Sun, 06 Nov 1994 08:49:37 GMT", and the obsolete RFC 850
 * "Sunday, 06-Nov-94 08:49:37 GMT" and asctime "Sun Nov  6 08:49:37 1994"
 * forms. The weekday name must be valid but is not checked against the
 * date. Two-digit RFC 850 years 70-99 are 19xx, 00-69 are 20xx. */
int or_http_date_parse(const char *s, int64_t *unix_s)
{
    if (!s)
        return -1;
    size_t n;
    unsigned day, year, hour, min, sec;
    int mon;
    if (day_name(s, 0, &n) == 0 && s[3] == ',') {
        /* IMF-fixdate */
        const char *p = s + 4;
        if (p[0] != ' ' || digits(p + 1, 2, &day) || p[3] != ' ' || (mon = month_index(p + 4)) < 0 ||
            p[7] != ' ' || digits(p + 8, 4, &year) || p[12] != ' ' ||
            clock_time(p + 13, &hour, &min, &sec) || strcmp(p + 21, " GMT") != 0)
            return -1;
    } else if (day_name(s, 1, &n) == 0 && s[n] == ',') {
        /* RFC 850 */
        const char *p = s + n + 1;
        if (p[0] != ' ' || digits(p + 1, 2, &day) || p[3] != '-' || (mon = month_index(p + 4)) < 0 ||
            p[7] != '-' || digits(p + 8, 2, &year) || p[10] != ' ' ||
            clock_time(p + 11, &hour, &min, &sec) || strcmp(p + 19, " GMT") != 0)
            return -1;
        year += year < 70 ? 2000 : 1900;
    } else if (day_name(s, 0, &n) == 0 && s[3] == ' ') {
        /* asctime: day of month is space-padded to two characters */
        const char *p = s + 4;
        if ((mon = month_index(p)) < 0 || p[3] != ' ')
            return -1;
        if (p[4] == ' ') {
            if (digits(p + 5, 1, &day))
                return -1;
        } else if (digits(p + 4, 2, &day)) {
            return -1;
        }
        if (p[6] != ' ' || clock_time(p + 7, &hour, &min, &sec) || p[15] != ' ' ||
            digits(p + 16, 4, &year) || p[20] != '\0')
            return -1;
    } else {
        return -1;
    }
    int64_t t;
    if (civil_to_unix(year, (unsigned)mon, day, hour, min, sec, &t) != 0)
        return -1;
    if (unix_s)
        *unix_s = t;
    return 0;
}
