/* The social governance index room: what its C shares with SQL declarations.
 * src/index.h — no load-time set-up; the mathematics is in src/engine/composite.h. */
#ifndef SHEGU_INDEX_BINDING_H
#define SHEGU_INDEX_BINDING_H

/*
 * State of the shegu.wmean and shegu.wgmean aggregates: a float8[3] that the transition
 * function updates in place.  wmean: {sum w*x, sum w, rows}; wgmean: {sum w*ln x, sum w,
 * 1 when a value 0 met a positive weight}.  src/index.sql declares INITCOND to match.
 */
#define SHEGU_INDEX_STATE_LEN 3

#endif							/* SHEGU_INDEX_BINDING_H */
