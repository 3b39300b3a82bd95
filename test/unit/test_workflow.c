/* Unit tests of the workflow engine: every transition of the closed loop, the joint handling and
 * mediation steps, their errors and timers, on a natural-time clock.  test/unit/test_workflow.c */
#include <stdint.h>

#include "unit.h"
#include "workflow.h"

#define H SHEGU_WF_USEC_PER_HOUR
#define T0 (INT64_C(826000000) * 1000000)	/* some day in 2026 */

/* natural time; "working" time counts a day as 8 hours, to tell the two apart */
static shegu_wf_time
clk_add(void *arg, shegu_wf_time start, shegu_wf_span amount, bool working)
{
	(void) arg;
	if (working)
		return start + amount.usecs + (int64_t) amount.days * 8 * H;
	return start + shegu_wf_span_usecs(amount);
}

static shegu_wf_span
clk_between(void *arg, shegu_wf_time a, shegu_wf_time b, bool working)
{
	shegu_wf_span s = {b - a, 0, 0};

	(void) arg;
	(void) working;
	return s;
}

static const shegu_wf_clock clk = {NULL, clk_add, clk_between};

static shegu_wf_limits
limits(void)
{
	shegu_wf_limits l;

	memset(&l, 0, sizeof(l));
	l.level = SHEGU_WF_GRID;
	l.accept_limit.usecs = 2 * H;
	l.accept_working = true;
	l.dispose_limit.days = 2;	/* 16 hours of "working" time */
	l.dispose_working = true;
	l.yellow_share = 0.8;
	for (int s = 0; s < SHEGU_WF_NSTAGES; s++)
	{
		l.stage_limit[s].usecs = 10 * H;
		l.stage_working[s] = false;
	}
	return l;
}

static shegu_wf_case
new_case(const shegu_wf_limits *l)
{
	shegu_wf_case c;

	memset(&c, 0, sizeof(c));
	c.level = SHEGU_WF_GRID;
	c.resume_state = SHEGU_WF_NSTATES;
	c.reported_at = T0;
	c.accepted_at = c.dispatched_at = c.resolved_at = c.verified_at = c.closed_at = c.evaluated_at =
		c.due_at = c.clock_stopped_at = c.stage_due_at = c.stage_yellow_at = c.owner_since =
		c.leader_since = SHEGU_WF_NOTIME;
	shegu_wf_report(&c, l, &clk, T0);
	return c;
}

static shegu_wf_input
input(shegu_wf_action a, shegu_wf_time at)
{
	shegu_wf_input in;

	memset(&in, 0, sizeof(in));
	in.action = a;
	in.at = at;
	in.actor = "centre";
	in.level = -1;
	in.satisfaction = -1;
	in.flag = -1;
	in.body = -1;
	in.dispatcher_level = -1;
	return in;
}

static shegu_wf_error
step(shegu_wf_case *c, shegu_wf_input in, shegu_wf_result *r)
{
	shegu_wf_limits l = limits();

	return shegu_wf_step(c, &in, &l, &clk, r);
}

int
main(void)
{
	shegu_wf_limits l = limits();
	shegu_wf_case c = new_case(&l);
	shegu_wf_case saved;
	shegu_wf_result r;
	shegu_wf_input in;
	char		buf[256];

	/* report */
	CHECK_INT(c.state, SHEGU_WF_REPORTED, "a report starts reported");
	CHECK_INT(c.accept_due_at, T0 + 2 * H, "acceptance deadline: 2 working hours");
	CHECK_INT(c.yellow_at, T0 + 2 * H * 8 / 10, "yellow at 80% of the acceptance time");
	CHECK_INT(c.light, SHEGU_WF_GREEN, "a new report is green");
	shegu_wf_allowed_list(SHEGU_WF_REPORTED, buf, sizeof(buf));
	CHECK_STR(buf, "accept, reject, escalate, suspend, supervise, assign_leader, simple_handle", "actions from reported");
	shegu_wf_allowed_list(SHEGU_WF_EVALUATED, buf, sizeof(buf));
	CHECK_STR(buf, "reopen", "actions from evaluated");

	/* errors leave the case as it was */
	saved = c;
	CHECK_INT(step(&c, input(SHEGU_WF_RESOLVE, T0 + H), &r), SHEGU_WF_E_STATE, "resolve from reported is refused");
	CHECK(memcmp(&saved, &c, sizeof(c)) == 0, "a refused step changes nothing");
	CHECK_INT(step(&c, input(SHEGU_WF_REJECT, T0 + H), &r), SHEGU_WF_E_NEEDS_NOTE, "reject needs a reason");
	CHECK_INT(step(&c, input(SHEGU_WF_ACCEPT, T0 - H), &r), SHEGU_WF_E_BEFORE_LAST, "a step before the last is refused");
	in = input(SHEGU_WF_ACCEPT, T0 - H);
	in.at_is_now = true;
	in.now = T0 + H / 2;
	CHECK_INT(step(&c, in, &r), SHEGU_WF_OK, "a late lock takes the present time");
	CHECK_INT(c.accepted_at, T0 + H / 2, "... as the step's time");
	CHECK_STR(c.owner, "centre", "首问负责: the acceptor owns the case");
	CHECK_INT(c.due_at, T0 + H / 2 + 16 * H, "disposal deadline: 2 working days");
	CHECK(r.log && strcmp(r.event_action, "accept") == 0, "accept is logged");

	/* escalation */
	CHECK_INT(step(&c, input(SHEGU_WF_ESCALATE, T0 + H), &r), SHEGU_WF_OK, "escalate");
	CHECK_INT(c.level, SHEGU_WF_COMMUNITY, "one level up");
	CHECK(r.escalated, "escalation notifies");
	CHECK_INT(c.escalations, 1, "counted");
	in = input(SHEGU_WF_OVERDUE_ESCALATE, T0 + 2 * H);
	CHECK_INT(step(&c, in, &r), SHEGU_WF_OK, "overdue escalate before the level deadline");
	CHECK(r.skip, "... is skipped");

	/* dispatch, resolve, verify, close, evaluate */
	in = input(SHEGU_WF_DISPATCH, T0 + 2 * H);
	in.department = "城管";
	in.level = SHEGU_WF_TOWNSHIP;
	CHECK_INT(step(&c, in, &r), SHEGU_WF_OK, "dispatch");
	CHECK_INT(c.level, SHEGU_WF_TOWNSHIP, "to the level given");
	CHECK_STR(c.department, "城管", "to the department given");
	CHECK_INT(step(&c, input(SHEGU_WF_RETURN, T0 + 3 * H), &r), SHEGU_WF_E_NEEDS_NOTE, "return needs a reason");
	CHECK_INT(step(&c, input(SHEGU_WF_RESOLVE, T0 + 3 * H), &r), SHEGU_WF_OK, "resolve");
	CHECK_INT(c.clock_stopped_at, T0 + 3 * H, "the clock stops at disposal");
	CHECK_INT(step(&c, input(SHEGU_WF_REWORK, T0 + 5 * H), &r), SHEGU_WF_OK, "rework");
	CHECK_INT(c.due_at, T0 + H / 2 + 18 * H, "the deadline moves by the stopped time");
	CHECK_INT(c.rework_count, 1, "rework counted");
	CHECK_INT(step(&c, input(SHEGU_WF_RESOLVE, T0 + 6 * H), &r), SHEGU_WF_OK, "resolve again");
	CHECK_INT(step(&c, input(SHEGU_WF_VERIFY, T0 + 7 * H), &r), SHEGU_WF_OK, "verify");
	CHECK_INT(step(&c, input(SHEGU_WF_CLOSE, T0 + 8 * H), &r), SHEGU_WF_OK, "close");
	CHECK(c.has_work_hours && c.work_hours_to_close == 8.0, "8 hours to close");
	CHECK_INT(step(&c, input(SHEGU_WF_EVALUATE, T0 + 9 * H), &r), SHEGU_WF_E_SATISFACTION, "evaluate needs a score");
	in = input(SHEGU_WF_EVALUATE, T0 + 9 * H);
	in.satisfaction = 5;
	CHECK_INT(step(&c, in, &r), SHEGU_WF_OK, "evaluate");
	CHECK_INT(c.state, SHEGU_WF_EVALUATED, "evaluated");
	CHECK_INT(step(&c, input(SHEGU_WF_REOPEN, T0 + 10 * H), &r), SHEGU_WF_OK, "reopen");
	CHECK_INT(c.state, SHEGU_WF_ACCEPTED, "a reopened case is accepted again");
	CHECK_INT(c.satisfaction, 0, "its score is cleared");

	/* suspension */
	CHECK_INT(step(&c, input(SHEGU_WF_SUSPEND, T0 + 11 * H), &r), SHEGU_WF_E_NEEDS_NOTE, "suspend needs a reason");
	in = input(SHEGU_WF_SUSPEND, T0 + 11 * H);
	in.note = "waiting";
	CHECK_INT(step(&c, in, &r), SHEGU_WF_OK, "suspend");
	saved = c;
	CHECK_INT(step(&c, input(SHEGU_WF_RESUME, T0 + 13 * H), &r), SHEGU_WF_OK, "resume");
	CHECK_INT(c.state, SHEGU_WF_ACCEPTED, "back to accepted");
	CHECK_INT(c.due_at, saved.due_at + 2 * H, "the deadline moves by the suspension");
	CHECK_INT(c.suspended_work.usecs, 2 * H, "suspended time counted");

	/* extension */
	CHECK_INT(step(&c, input(SHEGU_WF_APPROVE_EXTENSION, T0 + 14 * H), &r), SHEGU_WF_E_NO_EXTENSION, "no request pending");
	CHECK_INT(step(&c, input(SHEGU_WF_REQUEST_EXTENSION, T0 + 14 * H), &r), SHEGU_WF_E_NEEDS_AMOUNT, "request needs an amount");
	in = input(SHEGU_WF_REQUEST_EXTENSION, T0 + 14 * H);
	in.has_amount = true;
	in.amount.days = 1;
	CHECK_INT(step(&c, in, &r), SHEGU_WF_OK, "request extension");
	saved = c;
	CHECK_INT(step(&c, input(SHEGU_WF_APPROVE_EXTENSION, T0 + 15 * H), &r), SHEGU_WF_OK, "approve it");
	CHECK_INT(c.due_at, saved.due_at + 8 * H, "one working day later");
	CHECK_INT(c.extension_total.days, 1, "extension total");

	/* 一个问题一名领导 */
	in = input(SHEGU_WF_ASSIGN_LEADER, T0 + 15 * H);
	CHECK_INT(step(&c, in, &r), SHEGU_WF_E_NEEDS_PERSON, "a leader needs a name");
	in.person = "王副县长";
	CHECK_INT(step(&c, in, &r), SHEGU_WF_OK, "assign the leader");
	in.person = "李副县长";
	CHECK_INT(step(&c, in, &r), SHEGU_WF_E_LEADER_SET, "one leader per case");
	CHECK_STR(c.leader, "王副县长", "the first leader stays");

	/* 首问负责: hand over */
	in = input(SHEGU_WF_HAND_OVER, T0 + 15 * H);
	in.person = "centre";
	CHECK_INT(step(&c, in, &r), SHEGU_WF_E_SAME_OWNER, "no hand-over to the owner");
	in.person = "司法所";
	CHECK_INT(step(&c, in, &r), SHEGU_WF_OK, "hand over");
	CHECK_STR(c.owner, "司法所", "the new owner");

	/* 会商研判 and 裁决 */
	CHECK_INT(step(&c, input(SHEGU_WF_REVIEW, T0 + 16 * H), &r), SHEGU_WF_OK, "review");
	CHECK_INT(c.state, SHEGU_WF_REVIEWING, "reviewing");
	CHECK_INT(c.stage_due_at, T0 + 26 * H, "the review's own limit");
	CHECK_INT(c.stage_light, SHEGU_WF_GREEN, "the stage light starts green");
	CHECK_INT(step(&c, input(SHEGU_WF_CONCLUDE_REVIEW, T0 + 17 * H), &r), SHEGU_WF_E_NEEDS_NOTE, "a review concludes with a note");
	in = input(SHEGU_WF_REQUEST_RULING, T0 + 17 * H);
	in.note = "职责不清";
	CHECK_INT(step(&c, in, &r), SHEGU_WF_OK, "request a ruling");
	CHECK_INT(c.stage_due_at, T0 + 27 * H, "the ruling's limit");
	in = input(SHEGU_WF_TICK, T0 + 26 * H);
	CHECK_INT(step(&c, in, &r), SHEGU_WF_OK, "tick");
	CHECK(!r.skip && r.nturns == 1 && r.turns[0].stage && r.turns[0].to == SHEGU_WF_YELLOW, "the stage light turns yellow near its limit");
	in = input(SHEGU_WF_RULE, T0 + 28 * H);
	in.department = "住建局";
	CHECK_INT(step(&c, in, &r), SHEGU_WF_E_RULING_LATE, "a ruling past its limit is refused");
	CHECK_INT(step(&c, input(SHEGU_WF_ESCALATE, T0 + 28 * H), &r), SHEGU_WF_OK, "escalate the ruling");
	CHECK_INT(c.stage_due_at, T0 + 38 * H, "the level above rules with a fresh limit");
	in = input(SHEGU_WF_RULE, T0 + 29 * H);
	CHECK_INT(step(&c, in, &r), SHEGU_WF_E_NEEDS_DEPARTMENT, "a ruling names the department");
	in.department = "住建局";
	CHECK_INT(step(&c, in, &r), SHEGU_WF_OK, "rule");
	CHECK_INT(c.state, SHEGU_WF_DISPATCHED, "the ruling dispatches the case");
	CHECK(c.stage_due_at == SHEGU_WF_NOTIME && c.stage_light == SHEGU_WF_NOLIGHT, "the stage ends");

	/* 联动综合执法 */
	c = new_case(&l);
	CHECK_INT(step(&c, input(SHEGU_WF_ACCEPT, T0 + H), &r), SHEGU_WF_OK, "accept");
	in = input(SHEGU_WF_JOINT_DISPATCH, T0 + H);
	in.department = "城管执法队";
	CHECK_INT(step(&c, in, &r), SHEGU_WF_E_NO_SUPPORT, "a joint case has supporting departments");
	in.supporting = 2;
	CHECK_INT(step(&c, in, &r), SHEGU_WF_OK, "joint dispatch");
	CHECK(r.parts_start && r.part_due == T0 + 11 * H, "each part with its limit");
	CHECK_INT(step(&c, input(SHEGU_WF_RESOLVE, T0 + 2 * H), &r), SHEGU_WF_OK, "resolve without open parts");
	c.state = SHEGU_WF_DISPATCHED;
	in = input(SHEGU_WF_RESOLVE, T0 + 2 * H);
	in.parts_open = 3;
	CHECK_INT(step(&c, in, &r), SHEGU_WF_E_PARTS_OPEN, "a joint case is not resolved while parts are open");
	in = input(SHEGU_WF_FINISH_PART, T0 + 2 * H);
	in.department = "环保局";
	in.parts_open = 3;
	CHECK_INT(step(&c, in, &r), SHEGU_WF_E_NOT_PARTY, "a department not in the case");
	in.department_in_case = true;
	in.part_finished = true;
	CHECK_INT(step(&c, in, &r), SHEGU_WF_E_PART_DONE, "a part finishes once");
	in.part_finished = false;
	CHECK_INT(step(&c, in, &r), SHEGU_WF_OK, "finish a part");
	CHECK_INT(c.state, SHEGU_WF_DISPATCHED, "the case waits for the others");
	in.parts_open = 1;
	CHECK_INT(step(&c, in, &r), SHEGU_WF_OK, "finish the last part");
	CHECK_INT(c.state, SHEGU_WF_RESOLVED, "the last part resolves the case");

	/* 大调解 */
	c = new_case(&l);
	CHECK_INT(step(&c, input(SHEGU_WF_ACCEPT, T0 + H), &r), SHEGU_WF_OK, "accept");
	CHECK_INT(step(&c, input(SHEGU_WF_MEDIATE, T0 + H), &r), SHEGU_WF_E_NEEDS_BODY, "mediation names its body");
	in = input(SHEGU_WF_MEDIATE, T0 + H);
	in.body = SHEGU_WF_BODY_PEOPLE;
	CHECK_INT(step(&c, in, &r), SHEGU_WF_OK, "mediate");
	CHECK(c.state == SHEGU_WF_MEDIATING && r.mediation_start, "mediating");
	in = input(SHEGU_WF_AGREEMENT, T0 + 2 * H);
	in.flag = 1;
	CHECK_INT(step(&c, in, &r), SHEGU_WF_E_NO_SESSION, "no agreement without a session");
	CHECK_INT(step(&c, input(SHEGU_WF_MEDIATION_SESSION, T0 + 2 * H), &r), SHEGU_WF_OK, "a session");
	CHECK(r.mediation_session, "... recorded");
	in.sessions = 1;
	CHECK_INT(step(&c, in, &r), SHEGU_WF_OK, "agreement reached");
	CHECK_INT(c.state, SHEGU_WF_AGREED, "agreed");
	CHECK_INT(c.resolved_at, T0 + 2 * H, "the agreement disposes of the dispute");
	CHECK_INT(c.stage_due_at, T0 + 12 * H, "the fulfilment check's limit");
	CHECK_INT(step(&c, input(SHEGU_WF_CONFIRM_JUDICIALLY, T0 + 3 * H), &r), SHEGU_WF_OK, "司法确认");
	in = input(SHEGU_WF_CONFIRM_JUDICIALLY, T0 + 3 * H);
	in.confirmed = true;
	CHECK_INT(step(&c, in, &r), SHEGU_WF_E_NOT_CONFIRMABLE, "confirmed once");
	in = input(SHEGU_WF_CHECK_FULFILMENT, T0 + 4 * H);
	in.flag = 0;
	CHECK_INT(step(&c, in, &r), SHEGU_WF_OK, "not fulfilled");
	CHECK_INT(c.state, SHEGU_WF_AGREED, "still agreed");
	in.flag = 1;
	CHECK_INT(step(&c, in, &r), SHEGU_WF_OK, "fulfilled");
	CHECK(c.state == SHEGU_WF_RESOLVED && r.mediation_end == SHEGU_WF_OUT_FULFILLED, "化解: resolved, fulfilled");

	c = new_case(&l);
	step(&c, input(SHEGU_WF_ACCEPT, T0 + H), &r);
	CHECK_INT(step(&c, input(SHEGU_WF_REFER_LITIGATION, T0 + H), &r), SHEGU_WF_E_STATE, "no referral without a failed mediation");
	in = input(SHEGU_WF_MEDIATE, T0 + H);
	in.body = SHEGU_WF_BODY_TRADE;
	step(&c, in, &r);
	in = input(SHEGU_WF_AGREEMENT, T0 + 2 * H);
	in.flag = 0;
	in.sessions = 2;
	CHECK_INT(step(&c, in, &r), SHEGU_WF_OK, "no agreement");
	CHECK(c.state == SHEGU_WF_ACCEPTED && r.mediation_end == SHEGU_WF_OUT_NOT_REACHED, "back to accepted, not reached");
	in = input(SHEGU_WF_REFER_LITIGATION, T0 + 3 * H);
	in.last_outcome = SHEGU_WF_OUT_NOT_REACHED;
	CHECK_INT(step(&c, in, &r), SHEGU_WF_OK, "refer to litigation");
	CHECK_INT(c.state, SHEGU_WF_RESOLVED, "the platform's part ends");

	/* lights */
	c = new_case(&l);
	in = input(SHEGU_WF_TICK, T0 + 2 * H * 8 / 10);
	CHECK_INT(step(&c, in, &r), SHEGU_WF_OK, "tick at the yellow time");
	CHECK(r.nturns == 1 && r.turns[0].to == SHEGU_WF_YELLOW && !r.log, "turns yellow, no event");
	in.at = T0 + 3 * H;
	step(&c, in, &r);
	CHECK(r.nturns == 1 && r.turns[0].to == SHEGU_WF_RED, "turns red when overdue");
	step(&c, in, &r);
	CHECK(r.skip, "a second tick does nothing");
	in = input(SHEGU_WF_ESCALATE, T0 + 3 * H);
	c.level = SHEGU_WF_COUNTY;
	CHECK_INT(step(&c, in, &r), SHEGU_WF_E_TOP_LEVEL, "no escalation above the county");

	/* 简易处理 (巡办分离, seed 004): only a category the basic grid may settle, only on the spot */
	c = new_case(&l);
	c.level = SHEGU_WF_COMMUNITY;
	saved = c;
	in = input(SHEGU_WF_SIMPLE_HANDLE, T0 + H);
	in.actor = "grid worker";
	CHECK_INT(step(&c, in, &r), SHEGU_WF_E_NOT_SIMPLE, "simple handling of a category without it is refused");
	CHECK(memcmp(&saved, &c, sizeof(c)) == 0, "... and changes nothing");
	{
		shegu_wf_limits sl = limits();

		sl.simple_handling = true;
		CHECK_INT(shegu_wf_step(&c, &in, &sl, &clk, &r), SHEGU_WF_OK, "simple handling of a simple category");
		CHECK_INT(c.state, SHEGU_WF_CLOSED, "closes the case");
		CHECK_INT(c.level, SHEGU_WF_GRID, "at the grid level");
		CHECK(c.accepted_at == T0 + H && c.resolved_at == T0 + H && c.closed_at == T0 + H,
			  "received, disposed of and closed at once");
		CHECK_INT(c.clock_stopped_at, T0 + H, "its clock stops");
		CHECK_STR(c.owner, "grid worker", "the grid worker owns it (首问负责)");
		CHECK(c.has_work_hours && c.work_hours_to_close == 1.0, "1 hour to close");
		CHECK(r.log && strcmp(r.event_action, "simple_handle") == 0 && r.from_level == SHEGU_WF_COMMUNITY &&
			  r.to_level == SHEGU_WF_GRID, "logged as simple_handle, from the community level to the grid");
		in = input(SHEGU_WF_SIMPLE_HANDLE, T0 + 2 * H);
		CHECK_INT(shegu_wf_step(&c, &in, &sl, &clk, &r), SHEGU_WF_E_STATE, "not once it is closed");
		c = new_case(&l);
		CHECK_INT(step(&c, input(SHEGU_WF_ACCEPT, T0 + H), &r), SHEGU_WF_OK, "accepted by the handling level");
		in = input(SHEGU_WF_SIMPLE_HANDLE, T0 + 2 * H);
		CHECK_INT(shegu_wf_step(&c, &in, &sl, &clk, &r), SHEGU_WF_E_STATE, "not once it has been accepted (passed on)");
	}

	return UNIT_DONE();
}
