/* The incident workflow's transition rules: state x action -> state, level and timers.
 * src/engine/workflow.h — pure C, no PostgreSQL headers. */
#ifndef SHEGU_ENGINE_WORKFLOW_H
#define SHEGU_ENGINE_WORKFLOW_H

#include <stdbool.h>
#include <stdint.h>

/*
 * Instants are microseconds since 2000-01-01 00:00:00 UTC (PostgreSQL's TimestampTz);
 * SHEGU_WF_NOTIME stands for a column that is NULL.  Amounts of time are spans with PostgreSQL's
 * interval fields (microseconds, days, months): in working time a day is one working day of the
 * schedule, which only the caller's clock knows, so the engine never converts a span itself; it
 * adds spans field by field (as interval + interval does) and hands them to the clock.
 *
 * The engine owns the rules; the caller owns the storage and the calendar.  A step is
 *   shegu_wf_step(&case, &input, &limits, &clock, &result)
 * which checks that the action is allowed from the case's state with the input given, computes
 * the new state, level, deadlines, light and counters into the case, and says in the result what
 * to log and to notify.  On an error the case is left as it was.
 */

typedef int64_t shegu_wf_time;

#define SHEGU_WF_NOTIME INT64_MIN
#define SHEGU_WF_USEC_PER_HOUR INT64_C(3600000000)
#define SHEGU_WF_USEC_PER_DAY INT64_C(86400000000)

typedef struct shegu_wf_span
{
	int64_t		usecs;
	int32_t		days;
	int32_t		months;
} shegu_wf_span;

/* States of an incident (status column).  The first nine are those of 0.2.0. */
typedef enum shegu_wf_state
{
	SHEGU_WF_REPORTED,			/* 已上报 */
	SHEGU_WF_ACCEPTED,			/* 已立案 (first receiver owns it: 首问负责) */
	SHEGU_WF_REJECTED,			/* 不予立案 */
	SHEGU_WF_DISPATCHED,		/* 已交办 (one department, or a joint case 联动综合执法) */
	SHEGU_WF_RESOLVED,			/* 已处置 */
	SHEGU_WF_VERIFIED,			/* 已核查 */
	SHEGU_WF_CLOSED,			/* 已结案 */
	SHEGU_WF_EVALUATED,			/* 已评价 */
	SHEGU_WF_SUSPENDED,			/* 挂账 */
	SHEGU_WF_REVIEWING,			/* 会商研判中 */
	SHEGU_WF_RULING,			/* 待裁决: responsibility unclear, awaiting a ruling */
	SHEGU_WF_MEDIATING,			/* 调解中 (大调解) */
	SHEGU_WF_AGREED,			/* 已达成调解协议, fulfilment being checked */
	SHEGU_WF_NSTATES
} shegu_wf_state;

typedef enum shegu_wf_level
{
	SHEGU_WF_GRID, SHEGU_WF_COMMUNITY, SHEGU_WF_TOWNSHIP, SHEGU_WF_COUNTY, SHEGU_WF_NLEVELS
} shegu_wf_level;

typedef enum shegu_wf_light
{
	SHEGU_WF_NOLIGHT, SHEGU_WF_GREEN, SHEGU_WF_YELLOW, SHEGU_WF_RED
} shegu_wf_light;

typedef enum shegu_wf_action
{
	/* the actions of 0.2.0 */
	SHEGU_WF_ACCEPT, SHEGU_WF_REJECT, SHEGU_WF_DISPATCH, SHEGU_WF_RESOLVE, SHEGU_WF_VERIFY,
	SHEGU_WF_REWORK, SHEGU_WF_CLOSE, SHEGU_WF_EVALUATE, SHEGU_WF_RETURN, SHEGU_WF_ESCALATE,
	SHEGU_WF_REQUEST_EXTENSION, SHEGU_WF_APPROVE_EXTENSION, SHEGU_WF_SUSPEND, SHEGU_WF_RESUME,
	SHEGU_WF_REOPEN, SHEGU_WF_SUPERVISE,
	/* 首问负责, 会商研判, 裁决, 联动综合执法, 一个问题一名领导, 大调解 */
	SHEGU_WF_HAND_OVER, SHEGU_WF_REVIEW, SHEGU_WF_CONCLUDE_REVIEW, SHEGU_WF_REQUEST_RULING,
	SHEGU_WF_RULE, SHEGU_WF_JOINT_DISPATCH, SHEGU_WF_FINISH_PART, SHEGU_WF_ASSIGN_LEADER,
	SHEGU_WF_MEDIATE, SHEGU_WF_MEDIATION_SESSION, SHEGU_WF_AGREEMENT, SHEGU_WF_CHECK_FULFILMENT,
	SHEGU_WF_CONFIRM_JUDICIALLY, SHEGU_WF_REFER_LITIGATION,
	/* 巡办分离 (seed 004): the basic grid settles a simple case on the spot (简易处理) */
	SHEGU_WF_SIMPLE_HANDLE,
	SHEGU_WF_NPUBLIC,
	/* steps of the sweep, not reachable through act() */
	SHEGU_WF_OVERDUE_ESCALATE = SHEGU_WF_NPUBLIC, SHEGU_WF_TICK,
	SHEGU_WF_NACTIONS
} shegu_wf_action;

/* Stages with a limit of their own (shegu.workflow_limit). */
typedef enum shegu_wf_stage
{
	SHEGU_WF_STAGE_REVIEW,		/* 会商研判 */
	SHEGU_WF_STAGE_RULING,		/* 裁决 */
	SHEGU_WF_STAGE_MEDIATION,	/* 调解 */
	SHEGU_WF_STAGE_FULFILMENT,	/* 协议履行核查 */
	SHEGU_WF_STAGE_PART,		/* one department's part of a joint case */
	SHEGU_WF_NSTAGES
} shegu_wf_stage;

/* Mediation bodies of the 大调解 system. */
typedef enum shegu_wf_body
{
	SHEGU_WF_BODY_PEOPLE,		/* 人民调解 */
	SHEGU_WF_BODY_ADMINISTRATIVE,	/* 行政调解 */
	SHEGU_WF_BODY_JUDICIAL,		/* 司法调解 */
	SHEGU_WF_BODY_TRADE,		/* 行业性、专业性调解 */
	SHEGU_WF_NBODIES
} shegu_wf_body;

/* How a mediation ended (none while it runs). */
typedef enum shegu_wf_outcome
{
	SHEGU_WF_OUT_NONE, SHEGU_WF_OUT_NOT_REACHED, SHEGU_WF_OUT_FULFILLED, SHEGU_WF_OUT_LITIGATION,
	SHEGU_WF_NOUTCOMES
} shegu_wf_outcome;

extern const char *const shegu_wf_state_names[SHEGU_WF_NSTATES];
extern const char *const shegu_wf_level_names[SHEGU_WF_NLEVELS];
extern const char *const shegu_wf_light_names[4];	/* NULL for NOLIGHT */
extern const char *const shegu_wf_action_names[SHEGU_WF_NACTIONS];
extern const char *const shegu_wf_stage_names[SHEGU_WF_NSTAGES];
extern const char *const shegu_wf_body_names[SHEGU_WF_NBODIES];
extern const char *const shegu_wf_outcome_names[SHEGU_WF_NOUTCOMES];	/* NULL for NONE */

/* Index of s in names[0..n), or -1. */
extern int	shegu_wf_lookup(const char *const *names, int n, const char *s);

/* The states an action may start from, as a bit set (1 << state). */
extern uint32_t shegu_wf_allowed_from(shegu_wf_action a);

/* Does the disposal (or acceptance) clock run in this state? */
extern bool shegu_wf_clock_runs(shegu_wf_state s);

/* Does this state have a stage limit (stage_due_at)? */
extern bool shegu_wf_has_stage(shegu_wf_state s);

/* The clock of the case's schedule: provided by the caller (the calendar lives in the database). */
typedef struct shegu_wf_clock
{
	void	   *arg;
	shegu_wf_time (*add) (void *arg, shegu_wf_time start, shegu_wf_span amount, bool working);
	/* time from a to b (a <= b); in working time a span of microseconds only */
	shegu_wf_span (*between) (void *arg, shegu_wf_time a, shegu_wf_time b, bool working);
} shegu_wf_clock;

/* The limits that apply to a case: its category's and the stages'. */
typedef struct shegu_wf_limits
{
	shegu_wf_level level;		/* handling level of the category */
	shegu_wf_span accept_limit;
	bool		accept_working;
	shegu_wf_span dispose_limit;
	bool		dispose_working;
	double		yellow_share;	/* 0 < share < 1 */
	bool		simple_handling;	/* the basic grid may settle it by simple handling (简易处理) */
	shegu_wf_span stage_limit[SHEGU_WF_NSTAGES];
	bool		stage_working[SHEGU_WF_NSTAGES];
} shegu_wf_limits;

/* The workflow columns of one incident. */
typedef struct shegu_wf_case
{
	shegu_wf_state state;
	shegu_wf_level level;
	shegu_wf_state resume_state;	/* of a suspended case; NSTATES when none */
	shegu_wf_light light;
	shegu_wf_light stage_light;
	shegu_wf_time reported_at, accepted_at, dispatched_at, resolved_at, verified_at, closed_at,
				evaluated_at, accept_due_at, due_at, level_due_at, yellow_at, clock_stopped_at,
				state_since, stage_due_at, stage_yellow_at, owner_since, leader_since;
	bool		has_extension_requested;
	shegu_wf_span extension_requested;
	shegu_wf_span extension_total;
	shegu_wf_span suspended_work;
	int32_t		escalations, rework_count, reopen_count, supervisions;
	int32_t		satisfaction;	/* 0 when NULL */
	bool		has_work_hours;
	double		work_hours_to_close;
	const char *department;		/* NULL when none; the engine only points it at input strings */
	const char *owner;			/* 首问责任人 */
	const char *leader;			/* 包案领导 */
} shegu_wf_case;

/* What the caller passes in: the action, its arguments, and what it looked up for it. */
typedef struct shegu_wf_input
{
	shegu_wf_action action;
	shegu_wf_time at;
	bool		at_is_now;		/* at is the present (a real clock): a late lock may move it on */
	shegu_wf_time now;			/* the present, when at_is_now */
	const char *actor;
	const char *note;
	const char *department;		/* dispatch, rule, finish_part; the lead of joint_dispatch */
	int			level;			/* dispatch, rule: the level given, -1 none */
	const char *person;			/* hand_over: the new owner; assign_leader: the leader */
	bool		has_amount;		/* request/approve_extension */
	shegu_wf_span amount;
	int			satisfaction;	/* evaluate: 1..5, -1 none or not whole */
	int			flag;			/* agreement: reached; check_fulfilment: fulfilled; -1 none */
	int			body;			/* mediate: the body, -1 none */
	int			supporting;		/* joint_dispatch: number of supporting departments */
	/* looked up by the caller */
	int			dispatcher_level;	/* return: the level of the last dispatch, -1 none */
	int			parts_open;		/* joint case: parts not finished (finish_part: before it) */
	bool		department_in_case;	/* finish_part: the department is a party */
	bool		part_finished;	/* finish_part: that party finished already */
	int			sessions;		/* mediation: sessions so far of the open mediation */
	bool		confirmed;		/* mediation: judicially confirmed already */
	shegu_wf_outcome last_outcome;	/* the last mediation's outcome */
} shegu_wf_input;

typedef enum shegu_wf_error
{
	SHEGU_WF_OK = 0,
	SHEGU_WF_E_STATE,			/* the action is not allowed from the state */
	SHEGU_WF_E_NEEDS_NOTE,		/* a reason in note is required */
	SHEGU_WF_E_NEEDS_AMOUNT,	/* request_extension without amount */
	SHEGU_WF_E_TOP_LEVEL,		/* escalate at county level */
	SHEGU_WF_E_NO_EXTENSION,	/* approve_extension without a pending request */
	SHEGU_WF_E_BEFORE_LAST,		/* the step's time is before the last step */
	SHEGU_WF_E_SATISFACTION,	/* evaluate without a score 1..5 */
	SHEGU_WF_E_NEEDS_DEPARTMENT,	/* rule, joint_dispatch, finish_part without department */
	SHEGU_WF_E_NEEDS_PERSON,	/* hand_over, assign_leader without a person */
	SHEGU_WF_E_NOT_PARTY,		/* finish_part: the department is not in the case */
	SHEGU_WF_E_PART_DONE,		/* finish_part: that department finished already */
	SHEGU_WF_E_PARTS_OPEN,		/* resolve of a joint case with parts open */
	SHEGU_WF_E_RULING_LATE,		/* rule after the ruling limit */
	SHEGU_WF_E_NO_SESSION,		/* agreement without a mediation session */
	SHEGU_WF_E_NEEDS_FLAG,		/* agreement / check_fulfilment without reached / fulfilled */
	SHEGU_WF_E_LEADER_SET,		/* assign_leader when the case has its leader */
	SHEGU_WF_E_SAME_OWNER,		/* hand_over to the owner itself */
	SHEGU_WF_E_NEEDS_BODY,		/* mediate without a body */
	SHEGU_WF_E_NOT_CONFIRMABLE,	/* confirm_judicially twice */
	SHEGU_WF_E_NO_SUPPORT,		/* joint_dispatch without supporting departments */
	SHEGU_WF_E_NOT_SIMPLE		/* simple_handle of a category without simple handling */
} shegu_wf_error;

/* A light that turned during the step: of the case's deadline or of the stage's. */
typedef struct shegu_wf_turn
{
	bool		stage;
	shegu_wf_light from, to;
	shegu_wf_time due;
	shegu_wf_state state;		/* the state when it turned (before or after the step) */
	shegu_wf_level level;
} shegu_wf_turn;

typedef struct shegu_wf_result
{
	shegu_wf_error error;
	const char *detail;			/* a whole sentence for some errors, else NULL */
	bool		skip;			/* a sweep step with nothing to do: write nothing */
	bool		log;			/* write an event (false for a light tick) */
	shegu_wf_time at;			/* the step's time (the present when a late lock moved it on) */
	const char *event_action;	/* the action logged (overdue_escalate logs as escalate) */
	const char *event_note;		/* note logged (the input's, or the sweep's reason) */
	shegu_wf_state from_state, to_state;
	shegu_wf_level from_level, to_level;
	int			nturns;
	int			npre;			/* turns[0..npre) happened before the step, the rest after it */
	shegu_wf_turn turns[4];
	bool		escalated;		/* NOTIFY shegu_escalation */
	bool		supervised;		/* NOTIFY shegu_supervision */
	/* side tables the caller writes */
	bool		parts_start;	/* joint_dispatch: one row per department, each due part_due */
	shegu_wf_time part_due;
	bool		part_finish;	/* finish_part: the department's part is done */
	bool		mediation_start;	/* mediate: a mediation row, due stage_due_at */
	bool		mediation_session;
	bool		mediation_agreement;	/* agreement reached (flag) or not */
	bool		mediation_confirm;
	shegu_wf_outcome mediation_end;	/* NONE, or how the open mediation ends */
} shegu_wf_result;

/*
 * Applies one step.  Returns result->error (SHEGU_WF_OK on success); on an error the case is
 * unchanged.  A sweep step (OVERDUE_ESCALATE, TICK) that finds nothing to do sets skip.
 */
extern shegu_wf_error shegu_wf_step(shegu_wf_case *c, const shegu_wf_input *in,
									const shegu_wf_limits *lim, const shegu_wf_clock *clk,
									shegu_wf_result *res);

/* The light of a case at a time (NOLIGHT when its clock is stopped), and of its stage. */
extern shegu_wf_light shegu_wf_light_at(const shegu_wf_case *c, shegu_wf_time at);
extern shegu_wf_light shegu_wf_stage_light_at(const shegu_wf_case *c, shegu_wf_time at);

/* A new report: the acceptance clock starts at reported_at; light as of now (silently). */
extern void shegu_wf_report(shegu_wf_case *c, const shegu_wf_limits *lim,
							const shegu_wf_clock *clk, shegu_wf_time now);

/* "accept, reject" — the public actions allowed from a state, written into buf (size n). */
extern void shegu_wf_allowed_list(shegu_wf_state s, char *buf, int n);

/* A span's microseconds, counting a day as 24 hours and a month as 30 days (for natural time). */
extern int64_t shegu_wf_span_usecs(shegu_wf_span s);

#endif							/* SHEGU_ENGINE_WORKFLOW_H */
