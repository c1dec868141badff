/*
 * live.h: the configuration in force in the running daemon. Each thread
 * holds a reference for one turn of its loop; a reload (SIGHUP) puts a newly
 * loaded, valid file in force for the turns that follow, and the old one is
 * freed when its last holder lets go.
 */
#ifndef HD_LIVE_H
#define HD_LIVE_H

#include "config.h"

/* Put cfg, as loaded at start, in force. live keeps it (and frees it in
 * live_end); it stays the "boot" configuration whose connection settings
 * (database, spool_dir, sms, imap, smtp) the channels keep until restart. */
void live_start(struct hd_config *cfg);

/* The configuration in force, referenced: pass it to live_drop when done.
 * *gen gets its generation. */
const struct hd_config *live_hold(unsigned *gen);
void live_drop(const struct hd_config *cfg);

/* Generation of the configuration in force: changes on every reload. */
unsigned live_generation(void);

/* Load path anew. When valid, put it in force and return 0; else log every
 * problem and return -1, leaving the running configuration in force. */
int live_reload(const char *path);

/* Let go of the configurations held at start; call after the threads ended. */
void live_end(void);

#endif
