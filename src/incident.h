/* Incidents: load-time set-up of the incident room (GUCs, cache callbacks).
 * src/incident.h */
#ifndef SHEGU_INCIDENT_H
#define SHEGU_INCIDENT_H

/* SQLSTATEs of the incident room (class SG, see docs/errors.md). */
#define ERRCODE_SHEGU_ILLEGAL_TRANSITION	MAKE_SQLSTATE('S','G','I','0','1')
#define ERRCODE_SHEGU_INCIDENT_NOT_FOUND	MAKE_SQLSTATE('S','G','I','0','2')
#define ERRCODE_SHEGU_MANAGED_COLUMN		MAKE_SQLSTATE('S','G','I','0','3')
#define ERRCODE_SHEGU_APPEND_ONLY			MAKE_SQLSTATE('S','G','I','0','4')
#define ERRCODE_SHEGU_IDEMPOTENCY_CONFLICT	MAKE_SQLSTATE('S','G','I','0','5')
#define ERRCODE_SHEGU_NOT_PARTY				MAKE_SQLSTATE('S','G','I','0','6')
#define ERRCODE_SHEGU_LIMIT_PASSED			MAKE_SQLSTATE('S','G','I','0','7')

/* Called once from _PG_init: defines shegu.incident_clock and registers cache callbacks. */
extern void shegu_incident_init(void);

#endif							/* SHEGU_INCIDENT_H */
