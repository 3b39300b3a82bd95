/* The incident workflow's transition rules: state x action -> state, level and timers.
 * src/engine/workflow.c — pure C, no PostgreSQL headers; rules in docs/incident.md. */
#include "workflow.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

const char *const shegu_wf_state_names[SHEGU_WF_NSTATES] = {
	"reported", "accepted", "rejected", "dispatched", "resolved", "verified", "closed",
	"evaluated", "suspended", "reviewing", "ruling", "mediating", "agreed"
};

const char *const shegu_wf_level_names[SHEGU_WF_NLEVELS] = {"grid", "community", "township", "county"};

const char *const shegu_wf_light_names[4] = {NULL, "green", "yellow", "red"};

const char *const shegu_wf_action_names[SHEGU_WF_NACTIONS] = {
	"accept", "reject", "dispatch", "resolve", "verify", "rework", "close", "evaluate",
	"return", "escalate", "request_extension", "approve_extension", "suspend", "resume",
	"reopen", "supervise",
	"hand_over", "review", "conclude_review", "request_ruling", "rule", "joint_dispatch",
	"finish_part", "assign_leader", "mediate", "mediation_session", "agreement",
	"check_fulfilment", "confirm_judicially", "refer_litigation", "simple_handle",
	"overdue_escalate", "tick"
};

const char *const shegu_wf_stage_names[SHEGU_WF_NSTAGES] = {
	"review", "ruling", "mediation", "fulfilment", "part"
};

const char *const shegu_wf_body_names[SHEGU_WF_NBODIES] = {
	"people", "administrative", "judicial", "trade"
};

const char *const shegu_wf_outcome_names[SHEGU_WF_NOUTCOMES] = {
	NULL, "not_reached", "fulfilled", "litigation"
};

#define SB(s) (UINT32_C(1) << (s))
/* the acceptance or disposal clock runs */
#define CLOCK_STATES (SB(SHEGU_WF_REPORTED) | SB(SHEGU_WF_ACCEPTED) | SB(SHEGU_WF_DISPATCHED) | \
					  SB(SHEGU_WF_REVIEWING) | SB(SHEGU_WF_RULING) | SB(SHEGU_WF_MEDIATING))
/* the three states of 0.2.0 in which the clock runs: suspension is from these */
#define BASIC_RUNNING (SB(SHEGU_WF_REPORTED) | SB(SHEGU_WF_ACCEPTED) | SB(SHEGU_WF_DISPATCHED))
#define HANDLING (SB(SHEGU_WF_ACCEPTED) | SB(SHEGU_WF_DISPATCHED) | SB(SHEGU_WF_REVIEWING) | \
				  SB(SHEGU_WF_RULING) | SB(SHEGU_WF_MEDIATING))
#define OPEN_STATES (CLOCK_STATES | SB(SHEGU_WF_RESOLVED) | SB(SHEGU_WF_VERIFIED) | \
					 SB(SHEGU_WF_SUSPENDED) | SB(SHEGU_WF_AGREED))
#define STAGE_STATES (SB(SHEGU_WF_REVIEWING) | SB(SHEGU_WF_RULING) | SB(SHEGU_WF_MEDIATING) | \
					  SB(SHEGU_WF_AGREED))

static const uint32_t action_from[SHEGU_WF_NACTIONS] = {
	[SHEGU_WF_ACCEPT] = SB(SHEGU_WF_REPORTED),
	[SHEGU_WF_REJECT] = SB(SHEGU_WF_REPORTED),
	[SHEGU_WF_DISPATCH] = SB(SHEGU_WF_ACCEPTED),
	[SHEGU_WF_RESOLVE] = SB(SHEGU_WF_DISPATCHED),
	[SHEGU_WF_VERIFY] = SB(SHEGU_WF_RESOLVED),
	[SHEGU_WF_REWORK] = SB(SHEGU_WF_RESOLVED),
	[SHEGU_WF_CLOSE] = SB(SHEGU_WF_VERIFIED),
	[SHEGU_WF_EVALUATE] = SB(SHEGU_WF_CLOSED),
	[SHEGU_WF_RETURN] = SB(SHEGU_WF_DISPATCHED),
	[SHEGU_WF_ESCALATE] = CLOCK_STATES,
	[SHEGU_WF_REQUEST_EXTENSION] = HANDLING,
	[SHEGU_WF_APPROVE_EXTENSION] = HANDLING,
	[SHEGU_WF_SUSPEND] = BASIC_RUNNING,
	[SHEGU_WF_RESUME] = SB(SHEGU_WF_SUSPENDED),
	[SHEGU_WF_REOPEN] = SB(SHEGU_WF_CLOSED) | SB(SHEGU_WF_EVALUATED) | SB(SHEGU_WF_REJECTED),
	[SHEGU_WF_SUPERVISE] = OPEN_STATES,
	[SHEGU_WF_HAND_OVER] = OPEN_STATES & ~SB(SHEGU_WF_REPORTED),
	[SHEGU_WF_REVIEW] = SB(SHEGU_WF_ACCEPTED) | SB(SHEGU_WF_DISPATCHED),
	[SHEGU_WF_CONCLUDE_REVIEW] = SB(SHEGU_WF_REVIEWING),
	[SHEGU_WF_REQUEST_RULING] = SB(SHEGU_WF_ACCEPTED) | SB(SHEGU_WF_DISPATCHED) | SB(SHEGU_WF_REVIEWING),
	[SHEGU_WF_RULE] = SB(SHEGU_WF_RULING),
	[SHEGU_WF_JOINT_DISPATCH] = SB(SHEGU_WF_ACCEPTED),
	[SHEGU_WF_FINISH_PART] = SB(SHEGU_WF_DISPATCHED),
	[SHEGU_WF_ASSIGN_LEADER] = OPEN_STATES,
	[SHEGU_WF_MEDIATE] = SB(SHEGU_WF_ACCEPTED) | SB(SHEGU_WF_DISPATCHED),
	[SHEGU_WF_MEDIATION_SESSION] = SB(SHEGU_WF_MEDIATING),
	[SHEGU_WF_AGREEMENT] = SB(SHEGU_WF_MEDIATING),
	[SHEGU_WF_CHECK_FULFILMENT] = SB(SHEGU_WF_AGREED),
	[SHEGU_WF_CONFIRM_JUDICIALLY] = SB(SHEGU_WF_AGREED),
	[SHEGU_WF_REFER_LITIGATION] = SB(SHEGU_WF_MEDIATING) | SB(SHEGU_WF_AGREED) | SB(SHEGU_WF_ACCEPTED),
	[SHEGU_WF_SIMPLE_HANDLE] = SB(SHEGU_WF_REPORTED),
	[SHEGU_WF_OVERDUE_ESCALATE] = CLOCK_STATES,
	[SHEGU_WF_TICK] = CLOCK_STATES | STAGE_STATES,
};

int
shegu_wf_lookup(const char *const *names, int n, const char *s)
{
	if (s == NULL)
		return -1;
	for (int i = 0; i < n; i++)
		if (names[i] != NULL && strcmp(names[i], s) == 0)
			return i;
	return -1;
}

uint32_t
shegu_wf_allowed_from(shegu_wf_action a)
{
	return ((int) a >= 0 && a < SHEGU_WF_NACTIONS) ? action_from[a] : 0;
}

bool
shegu_wf_clock_runs(shegu_wf_state s)
{
	return (CLOCK_STATES & SB(s)) != 0;
}

bool
shegu_wf_has_stage(shegu_wf_state s)
{
	return (STAGE_STATES & SB(s)) != 0;
}

void
shegu_wf_allowed_list(shegu_wf_state s, char *buf, int n)
{
	int			len = 0;

	if (n <= 0)
		return;
	buf[0] = '\0';
	for (int a = 0; a < SHEGU_WF_NPUBLIC; a++)
		if (action_from[a] & SB(s))
			len += snprintf(buf + (len < n ? len : n - 1), len < n ? (size_t) (n - len) : 1,
							"%s%s", len ? ", " : "", shegu_wf_action_names[a]);
	if (len == 0)
		snprintf(buf, (size_t) n, "none");
}

int64_t
shegu_wf_span_usecs(shegu_wf_span s)
{
	return s.usecs + (int64_t) s.days * SHEGU_WF_USEC_PER_DAY +
		(int64_t) s.months * 30 * SHEGU_WF_USEC_PER_DAY;
}

static shegu_wf_span
span_plus(shegu_wf_span a, shegu_wf_span b)
{
	shegu_wf_span r = {a.usecs + b.usecs, a.days + b.days, a.months + b.months};

	return r;
}

static shegu_wf_span
span_of_usecs(int64_t u)
{
	shegu_wf_span r = {u, 0, 0};

	return r;
}

/* ---- clocks and lights ---- */

/* When the light turns yellow: start + share of the time from start to deadline. */
static shegu_wf_time
yellow_of(const shegu_wf_clock *clk, shegu_wf_time start, shegu_wf_time due, bool working, double share)
{
	shegu_wf_span allowed;

	if (due <= start)
		return due;
	allowed = clk->between(clk->arg, start, due, working);
	return clk->add(clk->arg, start,
					span_of_usecs((int64_t) floor((double) shegu_wf_span_usecs(allowed) * share)), working);
}

shegu_wf_light
shegu_wf_light_at(const shegu_wf_case *c, shegu_wf_time at)
{
	shegu_wf_time due = (c->state == SHEGU_WF_REPORTED) ? c->accept_due_at : c->due_at;

	if (!shegu_wf_clock_runs(c->state) || due == SHEGU_WF_NOTIME)
		return SHEGU_WF_NOLIGHT;
	if (at > due)
		return SHEGU_WF_RED;
	if (c->yellow_at != SHEGU_WF_NOTIME && at >= c->yellow_at)
		return SHEGU_WF_YELLOW;
	return SHEGU_WF_GREEN;
}

shegu_wf_light
shegu_wf_stage_light_at(const shegu_wf_case *c, shegu_wf_time at)
{
	if (!shegu_wf_has_stage(c->state) || c->stage_due_at == SHEGU_WF_NOTIME)
		return SHEGU_WF_NOLIGHT;
	if (at > c->stage_due_at)
		return SHEGU_WF_RED;
	if (c->stage_yellow_at != SHEGU_WF_NOTIME && at >= c->stage_yellow_at)
		return SHEGU_WF_YELLOW;
	return SHEGU_WF_GREEN;
}

static void
turn(shegu_wf_result *res, bool stage, shegu_wf_light from, shegu_wf_light to, shegu_wf_time due,
	 shegu_wf_state state, shegu_wf_level level)
{
	if (res->nturns < (int) (sizeof(res->turns) / sizeof(res->turns[0])))
	{
		res->turns[res->nturns].stage = stage;
		res->turns[res->nturns].from = from;
		res->turns[res->nturns].to = to;
		res->turns[res->nturns].due = due;
		res->turns[res->nturns].state = state;
		res->turns[res->nturns].level = level;
		res->nturns++;
	}
}

/* Sets the lights at a time; a turn to yellow or red is reported (when res is given). */
static void
lights_update(shegu_wf_case *c, shegu_wf_time at, shegu_wf_result *res)
{
	shegu_wf_light now = shegu_wf_light_at(c, at);
	shegu_wf_light st = shegu_wf_stage_light_at(c, at);

	if (now != SHEGU_WF_NOLIGHT && now != c->light)
	{
		if (res != NULL && now != SHEGU_WF_GREEN)
			turn(res, false, c->light, now, c->state == SHEGU_WF_REPORTED ? c->accept_due_at : c->due_at,
				 c->state, c->level);
		c->light = now;
	}
	if (st != SHEGU_WF_NOLIGHT && st != c->stage_light)
	{
		if (res != NULL && st != SHEGU_WF_GREEN)
			turn(res, true, c->stage_light, st, c->stage_due_at, c->state, c->level);
		c->stage_light = st;
	}
}

static void
stage_start(shegu_wf_case *c, const shegu_wf_limits *lim, const shegu_wf_clock *clk,
			shegu_wf_stage s, shegu_wf_time at)
{
	c->stage_due_at = clk->add(clk->arg, at, lim->stage_limit[s], lim->stage_working[s]);
	c->stage_yellow_at = yellow_of(clk, at, c->stage_due_at, lim->stage_working[s], lim->yellow_share);
	c->stage_light = SHEGU_WF_GREEN;
}

static void
stage_clear(shegu_wf_case *c)
{
	c->stage_due_at = SHEGU_WF_NOTIME;
	c->stage_yellow_at = SHEGU_WF_NOTIME;
	c->stage_light = SHEGU_WF_NOLIGHT;
}

/* Starts the disposal clock: due_at, level_due_at, yellow_at. */
static void
disposal_start(shegu_wf_case *c, const shegu_wf_limits *lim, const shegu_wf_clock *clk, shegu_wf_time at)
{
	shegu_wf_time due = clk->add(clk->arg, at, lim->dispose_limit, lim->dispose_working);

	c->accepted_at = at;
	c->due_at = due;
	c->level_due_at = due;
	c->yellow_at = yellow_of(clk, at, due, lim->dispose_working, lim->yellow_share);
	c->clock_stopped_at = SHEGU_WF_NOTIME;
}

static void
acceptance_start(shegu_wf_case *c, const shegu_wf_limits *lim, const shegu_wf_clock *clk, shegu_wf_time at)
{
	shegu_wf_time due = clk->add(clk->arg, at, lim->accept_limit, lim->accept_working);

	c->accept_due_at = due;
	c->level_due_at = due;
	c->yellow_at = yellow_of(clk, at, due, lim->accept_working, lim->yellow_share);
	c->clock_stopped_at = SHEGU_WF_NOTIME;
}

/* Moves the running deadlines on by the time the clock stood still, [stopped, at). */
static void
clock_restart(shegu_wf_case *c, const shegu_wf_limits *lim, const shegu_wf_clock *clk,
			  shegu_wf_state phase, shegu_wf_time at)
{
	bool		working;
	shegu_wf_span gap;

	if (c->clock_stopped_at == SHEGU_WF_NOTIME)
		return;
	working = (phase == SHEGU_WF_REPORTED) ? lim->accept_working : lim->dispose_working;
	gap = clk->between(clk->arg, c->clock_stopped_at, at, working);
	if (phase == SHEGU_WF_REPORTED)
		c->accept_due_at = clk->add(clk->arg, c->accept_due_at, gap, working);
	else if (c->due_at != SHEGU_WF_NOTIME)
		c->due_at = clk->add(clk->arg, c->due_at, gap, working);
	if (c->level_due_at != SHEGU_WF_NOTIME)
		c->level_due_at = clk->add(clk->arg, c->level_due_at, gap, working);
	if (c->yellow_at != SHEGU_WF_NOTIME)
		c->yellow_at = clk->add(clk->arg, c->yellow_at, gap, working);
	c->clock_stopped_at = SHEGU_WF_NOTIME;
}

/* The clock stops at a disposal: resolve, an agreement, a referral. */
static void
disposal_stop(shegu_wf_case *c, shegu_wf_time at)
{
	c->resolved_at = at;
	c->clock_stopped_at = at;
	c->has_extension_requested = false;
}

static shegu_wf_error
fail(shegu_wf_result *res, shegu_wf_error e, const char *detail)
{
	res->error = e;
	res->detail = detail;
	return e;
}

/* ---- the step ---- */

shegu_wf_error
shegu_wf_step(shegu_wf_case *c0, const shegu_wf_input *in, const shegu_wf_limits *lim,
			  const shegu_wf_clock *clk, shegu_wf_result *res)
{
	shegu_wf_case c = *c0;
	shegu_wf_action a = in->action;
	bool		internal = (a >= SHEGU_WF_NPUBLIC);
	shegu_wf_state st = c.state;
	shegu_wf_state to = st;
	shegu_wf_level lv = c.level;
	shegu_wf_level to_lv = lv;
	shegu_wf_time at = in->at;
	shegu_wf_time since = c.state_since;

	memset(res, 0, sizeof(*res));
	res->from_state = st;
	res->from_level = lv;
	if ((int) a < 0 || a >= SHEGU_WF_NACTIONS || (int) st < 0 || st >= SHEGU_WF_NSTATES)
		return fail(res, SHEGU_WF_E_STATE, NULL);
	res->event_action = shegu_wf_action_names[a];
	res->event_note = in->note;
	if (!(action_from[a] & SB(st)))
	{
		if (internal)
		{
			res->skip = true;
			return SHEGU_WF_OK;
		}
		return fail(res, SHEGU_WF_E_STATE, NULL);
	}
	/* A concurrent step committed later while this one waited for the row lock: the lock was
	 * granted after that commit, so the present time is the honest stamp. */
	if (at < since && !internal && in->at_is_now && in->now >= since)
		at = in->now;
	if (at < since)
	{
		if (internal)
		{
			res->skip = true;
			return SHEGU_WF_OK;
		}
		return fail(res, SHEGU_WF_E_BEFORE_LAST, NULL);
	}
	if (a == SHEGU_WF_OVERDUE_ESCALATE &&
		(lv == SHEGU_WF_COUNTY || c.level_due_at == SHEGU_WF_NOTIME || c.level_due_at >= at))
	{
		res->skip = true;
		return SHEGU_WF_OK;
	}
	res->at = at;
	if (a == SHEGU_WF_TICK)
	{
		lights_update(&c, at, res);
		if (c.light == c0->light && c.stage_light == c0->stage_light)
		{
			res->skip = true;
			res->nturns = 0;
			return SHEGU_WF_OK;
		}
		res->to_state = st;
		res->to_level = lv;
		*c0 = c;
		return SHEGU_WF_OK;		/* a light turn is not a step: no event */
	}
	/* the lights as they stand when the step is taken, under the state before it */
	lights_update(&c, at, res);
	res->npre = res->nturns;

	switch (a)
	{
		case SHEGU_WF_ACCEPT:
			to = SHEGU_WF_ACCEPTED;
			disposal_start(&c, lim, clk, at);
			/* 首问负责: whoever first receives the case owns it until it is handed on */
			if (c.owner == NULL)
			{
				c.owner = in->actor;
				c.owner_since = at;
			}
			break;
		case SHEGU_WF_REJECT:
			if (in->note == NULL || in->note[0] == '\0')
				return fail(res, SHEGU_WF_E_NEEDS_NOTE, "the reason (不予立案理由)");
			to = SHEGU_WF_REJECTED;
			c.clock_stopped_at = at;
			break;
		case SHEGU_WF_DISPATCH:
			if (in->level >= 0)
				to_lv = (shegu_wf_level) in->level;
			c.department = in->department;
			c.dispatched_at = at;
			to = SHEGU_WF_DISPATCHED;
			break;
		case SHEGU_WF_RESOLVE:
			if (in->parts_open > 0)
				return fail(res, SHEGU_WF_E_PARTS_OPEN, NULL);
			to = SHEGU_WF_RESOLVED;
			disposal_stop(&c, at);
			break;
		case SHEGU_WF_VERIFY:
			to = SHEGU_WF_VERIFIED;
			c.verified_at = at;
			break;
		case SHEGU_WF_REWORK:
			to = SHEGU_WF_DISPATCHED;
			clock_restart(&c, lim, clk, SHEGU_WF_DISPATCHED, at);
			c.rework_count++;
			break;
		case SHEGU_WF_CLOSE:
			{
				shegu_wf_span w = clk->between(clk->arg, c.reported_at, at, true);

				to = SHEGU_WF_CLOSED;
				c.closed_at = at;
				c.has_work_hours = true;
				c.work_hours_to_close = (double) (shegu_wf_span_usecs(w) - shegu_wf_span_usecs(c.suspended_work))
					/ (double) SHEGU_WF_USEC_PER_HOUR;
			}
			break;
		case SHEGU_WF_EVALUATE:
			if (in->satisfaction < 1 || in->satisfaction > 5)
				return fail(res, SHEGU_WF_E_SATISFACTION, NULL);
			c.satisfaction = in->satisfaction;
			c.evaluated_at = at;
			to = SHEGU_WF_EVALUATED;
			break;
		case SHEGU_WF_RETURN:
			if (in->note == NULL || in->note[0] == '\0')
				return fail(res, SHEGU_WF_E_NEEDS_NOTE, "the reason (回退理由)");
			if (in->parts_open > 0)
				return fail(res, SHEGU_WF_E_PARTS_OPEN, NULL);
			to = SHEGU_WF_ACCEPTED;
			if (in->dispatcher_level >= 0 && in->dispatcher_level < SHEGU_WF_NLEVELS)
				to_lv = (shegu_wf_level) in->dispatcher_level;
			c.department = NULL;
			break;
		case SHEGU_WF_ESCALATE:
		case SHEGU_WF_OVERDUE_ESCALATE:
			{
				bool		intake = (st == SHEGU_WF_REPORTED);

				if (lv == SHEGU_WF_COUNTY)
					return fail(res, SHEGU_WF_E_TOP_LEVEL,
								"It is at the county level already, the highest a grid escalates to.");
				to_lv = (shegu_wf_level) (lv + 1);
				c.level_due_at = clk->add(clk->arg, at, intake ? lim->accept_limit : lim->dispose_limit,
										  intake ? lim->accept_working : lim->dispose_working);
				c.escalations++;
				/* a ruling goes up with the case: the level above rules, with a fresh limit */
				if (st == SHEGU_WF_RULING)
					stage_start(&c, lim, clk, SHEGU_WF_STAGE_RULING, at);
				if (a == SHEGU_WF_OVERDUE_ESCALATE)
				{
					res->event_action = "escalate";
					res->event_note = "level deadline passed";
				}
				res->escalated = true;
			}
			break;
		case SHEGU_WF_REQUEST_EXTENSION:
			if (!in->has_amount)
				return fail(res, SHEGU_WF_E_NEEDS_AMOUNT, NULL);
			c.has_extension_requested = true;
			c.extension_requested = in->amount;
			break;
		case SHEGU_WF_APPROVE_EXTENSION:
			{
				shegu_wf_span amount;

				if (!c.has_extension_requested)
					return fail(res, SHEGU_WF_E_NO_EXTENSION, "No extension request is pending.");
				amount = in->has_amount ? in->amount : c.extension_requested;
				c.due_at = clk->add(clk->arg, c.due_at, amount, lim->dispose_working);
				c.level_due_at = clk->add(clk->arg, c.level_due_at, amount, lim->dispose_working);
				c.yellow_at = yellow_of(clk, c.accepted_at, c.due_at, lim->dispose_working, lim->yellow_share);
				c.extension_total = span_plus(c.extension_total, amount);
				c.has_extension_requested = false;
			}
			break;
		case SHEGU_WF_SUSPEND:
			if (in->note == NULL || in->note[0] == '\0')
				return fail(res, SHEGU_WF_E_NEEDS_NOTE, "the reason (挂账理由)");
			to = SHEGU_WF_SUSPENDED;
			c.resume_state = st;
			c.clock_stopped_at = at;
			break;
		case SHEGU_WF_RESUME:
			{
				shegu_wf_span w;

				if (c.resume_state >= SHEGU_WF_NSTATES || c.clock_stopped_at == SHEGU_WF_NOTIME)
					return fail(res, SHEGU_WF_E_STATE, "The suspended incident has no state to resume to.");
				to = c.resume_state;
				w = clk->between(clk->arg, c.clock_stopped_at, at, true);
				c.suspended_work = span_plus(c.suspended_work, w);
				clock_restart(&c, lim, clk, to, at);
				c.resume_state = SHEGU_WF_NSTATES;
			}
			break;
		case SHEGU_WF_REOPEN:
			c.reopen_count++;
			c.light = SHEGU_WF_GREEN;
			if (st == SHEGU_WF_REJECTED)
			{
				to = SHEGU_WF_REPORTED;
				acceptance_start(&c, lim, clk, at);
			}
			else
			{
				to = SHEGU_WF_ACCEPTED;
				disposal_start(&c, lim, clk, at);
				c.verified_at = SHEGU_WF_NOTIME;
				c.closed_at = SHEGU_WF_NOTIME;
				c.evaluated_at = SHEGU_WF_NOTIME;
				c.satisfaction = 0;
				c.has_work_hours = false;
			}
			break;
		case SHEGU_WF_SUPERVISE:
			c.supervisions++;
			res->supervised = true;
			break;
		case SHEGU_WF_HAND_OVER:
			if (in->person == NULL || in->person[0] == '\0')
				return fail(res, SHEGU_WF_E_NEEDS_PERSON, NULL);
			if (c.owner != NULL && strcmp(c.owner, in->person) == 0)
				return fail(res, SHEGU_WF_E_SAME_OWNER, NULL);
			c.owner = in->person;
			c.owner_since = at;
			break;
		case SHEGU_WF_REVIEW:
			to = SHEGU_WF_REVIEWING;
			stage_start(&c, lim, clk, SHEGU_WF_STAGE_REVIEW, at);
			break;
		case SHEGU_WF_CONCLUDE_REVIEW:
			if (in->note == NULL || in->note[0] == '\0')
				return fail(res, SHEGU_WF_E_NEEDS_NOTE, "the conclusion (会商研判意见)");
			to = SHEGU_WF_ACCEPTED;
			stage_clear(&c);
			break;
		case SHEGU_WF_REQUEST_RULING:
			if (in->note == NULL || in->note[0] == '\0')
				return fail(res, SHEGU_WF_E_NEEDS_NOTE, "why responsibility is unclear (职责不清)");
			to = SHEGU_WF_RULING;
			stage_start(&c, lim, clk, SHEGU_WF_STAGE_RULING, at);
			break;
		case SHEGU_WF_RULE:
			if (in->department == NULL || in->department[0] == '\0')
				return fail(res, SHEGU_WF_E_NEEDS_DEPARTMENT, NULL);
			if (c.stage_due_at != SHEGU_WF_NOTIME && at > c.stage_due_at)
				return fail(res, SHEGU_WF_E_RULING_LATE, NULL);
			if (in->level >= 0)
				to_lv = (shegu_wf_level) in->level;
			c.department = in->department;
			c.dispatched_at = at;
			to = SHEGU_WF_DISPATCHED;
			stage_clear(&c);
			break;
		case SHEGU_WF_JOINT_DISPATCH:
			if (in->department == NULL || in->department[0] == '\0')
				return fail(res, SHEGU_WF_E_NEEDS_DEPARTMENT, NULL);
			if (in->supporting <= 0)
				return fail(res, SHEGU_WF_E_NO_SUPPORT, NULL);
			if (in->level >= 0)
				to_lv = (shegu_wf_level) in->level;
			c.department = in->department;
			c.dispatched_at = at;
			to = SHEGU_WF_DISPATCHED;
			res->parts_start = true;
			res->part_due = clk->add(clk->arg, at, lim->stage_limit[SHEGU_WF_STAGE_PART],
									 lim->stage_working[SHEGU_WF_STAGE_PART]);
			break;
		case SHEGU_WF_FINISH_PART:
			if (in->department == NULL || in->department[0] == '\0')
				return fail(res, SHEGU_WF_E_NEEDS_DEPARTMENT, NULL);
			if (!in->department_in_case)
				return fail(res, SHEGU_WF_E_NOT_PARTY, NULL);
			if (in->part_finished)
				return fail(res, SHEGU_WF_E_PART_DONE, NULL);
			res->part_finish = true;
			if (in->parts_open <= 1)
			{
				/* the last department finished: the joint case is disposed of */
				to = SHEGU_WF_RESOLVED;
				disposal_stop(&c, at);
			}
			break;
		case SHEGU_WF_ASSIGN_LEADER:
			if (in->person == NULL || in->person[0] == '\0')
				return fail(res, SHEGU_WF_E_NEEDS_PERSON, NULL);
			if (c.leader != NULL)
				return fail(res, SHEGU_WF_E_LEADER_SET, NULL);
			c.leader = in->person;
			c.leader_since = at;
			break;
		case SHEGU_WF_MEDIATE:
			if (in->body < 0 || in->body >= SHEGU_WF_NBODIES)
				return fail(res, SHEGU_WF_E_NEEDS_BODY, NULL);
			to = SHEGU_WF_MEDIATING;
			stage_start(&c, lim, clk, SHEGU_WF_STAGE_MEDIATION, at);
			res->mediation_start = true;
			break;
		case SHEGU_WF_MEDIATION_SESSION:
			res->mediation_session = true;
			break;
		case SHEGU_WF_AGREEMENT:
			if (in->flag < 0)
				return fail(res, SHEGU_WF_E_NEEDS_FLAG, NULL);
			if (in->sessions <= 0)
				return fail(res, SHEGU_WF_E_NO_SESSION, NULL);
			res->mediation_agreement = true;
			if (in->flag)
			{
				/* an agreement (调解协议) disposes of the dispute; its fulfilment is checked */
				to = SHEGU_WF_AGREED;
				disposal_stop(&c, at);
				stage_start(&c, lim, clk, SHEGU_WF_STAGE_FULFILMENT, at);
			}
			else
			{
				to = SHEGU_WF_ACCEPTED;
				stage_clear(&c);
				res->mediation_end = SHEGU_WF_OUT_NOT_REACHED;
			}
			break;
		case SHEGU_WF_CHECK_FULFILMENT:
			if (in->flag < 0)
				return fail(res, SHEGU_WF_E_NEEDS_FLAG, NULL);
			if (in->flag)
			{
				to = SHEGU_WF_RESOLVED;
				stage_clear(&c);
				res->mediation_end = SHEGU_WF_OUT_FULFILLED;
			}
			break;
		case SHEGU_WF_CONFIRM_JUDICIALLY:
			if (in->confirmed)
				return fail(res, SHEGU_WF_E_NOT_CONFIRMABLE, NULL);
			res->mediation_confirm = true;
			break;
		case SHEGU_WF_REFER_LITIGATION:
			if (st == SHEGU_WF_ACCEPTED && in->last_outcome != SHEGU_WF_OUT_NOT_REACHED)
				return fail(res, SHEGU_WF_E_STATE,
							"Only a dispute under mediation, or whose last mediation ended without agreement, is referred to litigation.");
			if (st != SHEGU_WF_AGREED)
				disposal_stop(&c, at);
			if (st != SHEGU_WF_ACCEPTED)
				res->mediation_end = SHEGU_WF_OUT_LITIGATION;
			to = SHEGU_WF_RESOLVED;
			stage_clear(&c);
			break;
		case SHEGU_WF_SIMPLE_HANDLE:
			{
				/*
				 * 简易处理 (seed 004, 巡办分离: "三级网格...负责网格内矛盾问题的排查、上报及简易处理"):
				 * the basic grid that found it settles it on the spot — received, disposed of and
				 * closed at once, at the grid level — when its category allows; anything else
				 * it passes on to the handling level.
				 */
				shegu_wf_span w;

				if (!lim->simple_handling)
					return fail(res, SHEGU_WF_E_NOT_SIMPLE, NULL);
				to = SHEGU_WF_CLOSED;
				to_lv = SHEGU_WF_GRID;
				c.accepted_at = at;
				disposal_stop(&c, at);
				c.closed_at = at;
				if (c.owner == NULL)
				{
					c.owner = in->actor;
					c.owner_since = at;
				}
				w = clk->between(clk->arg, c.reported_at, at, true);
				c.has_work_hours = true;
				c.work_hours_to_close = (double) (shegu_wf_span_usecs(w) - shegu_wf_span_usecs(c.suspended_work))
					/ (double) SHEGU_WF_USEC_PER_HOUR;
			}
			break;
		default:
			return fail(res, SHEGU_WF_E_STATE, NULL);
	}

	c.state = to;
	c.level = to_lv;
	if (to != st)
		c.state_since = at;
	if (!shegu_wf_has_stage(to))
		stage_clear(&c);
	lights_update(&c, at, res);
	res->log = true;
	res->to_state = to;
	res->to_level = to_lv;
	res->escalated = res->escalated && to_lv > lv;
	*c0 = c;
	return SHEGU_WF_OK;
}

void
shegu_wf_report(shegu_wf_case *c, const shegu_wf_limits *lim, const shegu_wf_clock *clk,
				shegu_wf_time now)
{
	c->state = SHEGU_WF_REPORTED;
	c->state_since = c->reported_at;
	c->escalations = c->rework_count = c->reopen_count = c->supervisions = 0;
	acceptance_start(c, lim, clk, c->reported_at);
	lights_update(c, now > c->reported_at ? now : c->reported_at, NULL);
}
