/* The base-data room's binding as the module sees it: its load-time set-up.
 * src/base.h */
#ifndef SHEGU_BASE_H
#define SHEGU_BASE_H

/* Defines shegu.pii_key and subscribes the division cache to invalidations. */
extern void shegu_base_init(void);

#endif							/* SHEGU_BASE_H */
