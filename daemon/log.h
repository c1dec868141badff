/* log.h: one line per event on stderr, with sd-daemon priority prefixes. */
#ifndef HD_LOG_H
#define HD_LOG_H

#define LOG_PRI_ERR 3
#define LOG_PRI_WARNING 4
#define LOG_PRI_NOTICE 5
#define LOG_PRI_INFO 6
#define LOG_PRI_DEBUG 7

/* Messages above this priority number are dropped (default: info). */
void log_set_level(int pri);

/* Write "<pri>text\n" to stderr as one write(2); control characters in the
 * formatted text are replaced by spaces so one event stays one line. */
void log_msg(int pri, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#define log_err(...) log_msg(LOG_PRI_ERR, __VA_ARGS__)
#define log_warn(...) log_msg(LOG_PRI_WARNING, __VA_ARGS__)
#define log_notice(...) log_msg(LOG_PRI_NOTICE, __VA_ARGS__)
#define log_info(...) log_msg(LOG_PRI_INFO, __VA_ARGS__)
#define log_debug(...) log_msg(LOG_PRI_DEBUG, __VA_ARGS__)

#endif
