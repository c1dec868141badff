/* smtp.h: process-wide setup of the SMTP channel's library (libcurl). */
#ifndef HD_SMTP_H
#define HD_SMTP_H

/* Initialise libcurl once: call from main() before any thread starts.
 * Returns 0, or -1 when libcurl cannot be initialised. */
int smtp_global_init(void);

/* Release libcurl's global state: call at exit, after the threads ended. */
void smtp_global_cleanup(void);

#endif
