/* libFuzzer target for the workflow engine: any sequence of actions with any inputs keeps the
 * case's invariants (known state and level, a refused step changes nothing, the clock stopped
 * exactly when it should be, counters never fall).  test/fuzz/fuzz_workflow.c */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "workflow.h"

#define FAIL() (fprintf(stderr, "fuzz_workflow: invariant at line %d broken\n", __LINE__), abort())
#define H SHEGU_WF_USEC_PER_HOUR

int			LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static shegu_wf_time
clk_add(void *arg, shegu_wf_time start, shegu_wf_span amount, bool working)
{
	(void) arg;
	return start + (working ? amount.usecs + (int64_t) amount.days * 7 * H : shegu_wf_span_usecs(amount));
}

static shegu_wf_span
clk_between(void *arg, shegu_wf_time a, shegu_wf_time b, bool working)
{
	shegu_wf_span s = {b - a, 0, 0};

	(void) arg;
	(void) working;
	return s;
}

static const char *const names[4] = {"a", "b", "c", "d"};

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	shegu_wf_clock clk = {NULL, clk_add, clk_between};
	shegu_wf_limits lim;
	shegu_wf_case c;
	shegu_wf_time t = INT64_C(820000000) * 1000000;

	memset(&lim, 0, sizeof(lim));
	lim.accept_limit.usecs = 2 * H;
	lim.accept_working = true;
	lim.dispose_limit.days = 2;
	lim.dispose_working = true;
	lim.yellow_share = 0.8;
	lim.simple_handling = size > 0 && (data[0] & 128) != 0;	/* 简易处理 allowed or not */
	for (int s = 0; s < SHEGU_WF_NSTAGES; s++)
		lim.stage_limit[s].usecs = (s + 1) * 5 * H;
	memset(&c, 0, sizeof(c));
	c.resume_state = SHEGU_WF_NSTATES;
	c.reported_at = t;
	c.accepted_at = c.dispatched_at = c.resolved_at = c.verified_at = c.closed_at = c.evaluated_at =
		c.due_at = c.clock_stopped_at = c.stage_due_at = c.stage_yellow_at = c.owner_since =
		c.leader_since = SHEGU_WF_NOTIME;
	shegu_wf_report(&c, &lim, &clk, t);

	for (size_t i = 0; i + 4 <= size; i += 4)
	{
		shegu_wf_input in;
		shegu_wf_result r;
		shegu_wf_case before = c;
		shegu_wf_error e;

		memset(&in, 0, sizeof(in));
		in.action = (shegu_wf_action) (data[i] % SHEGU_WF_NACTIONS);
		t += (int64_t) (data[i + 1] % 64) * H / 4 - (data[i + 1] >= 250 ? 3 * H : 0);
		in.at = t;
		in.actor = names[data[i + 2] & 3];
		in.note = (data[i + 2] & 4) ? "note" : NULL;
		in.department = (data[i + 2] & 8) ? names[(data[i + 2] >> 4) & 3] : NULL;
		in.person = (data[i + 2] & 64) ? names[data[i + 3] & 3] : NULL;
		in.level = (data[i + 3] & 4) ? (data[i + 3] >> 4) % SHEGU_WF_NLEVELS : -1;
		in.has_amount = (data[i + 3] & 8) != 0;
		in.amount.usecs = (data[i + 3] & 3) * H + H;
		in.satisfaction = (data[i + 3] % 7) - 1;
		in.flag = (data[i + 3] % 3) - 1;
		in.body = (data[i + 2] % 6) - 1;
		in.supporting = data[i + 3] & 1;
		in.dispatcher_level = (data[i + 3] % 5) - 1;
		in.parts_open = data[i + 3] & 3;
		in.department_in_case = (data[i + 3] & 16) != 0;
		in.part_finished = (data[i + 3] & 32) != 0;
		in.sessions = data[i + 3] & 1;
		in.confirmed = (data[i + 3] & 64) != 0;
		in.last_outcome = (shegu_wf_outcome) ((data[i + 3] >> 6) % SHEGU_WF_NOUTCOMES);
		e = shegu_wf_step(&c, &in, &lim, &clk, &r);
		if (e != r.error)
			FAIL();
		if ((e != SHEGU_WF_OK || r.skip) && memcmp(&before, &c, sizeof(c)) != 0)
			FAIL();
		if (e == SHEGU_WF_OK && !r.skip && !(shegu_wf_allowed_from(in.action) & (1u << before.state)))
			FAIL();
		if ((int) c.state < 0 || c.state >= SHEGU_WF_NSTATES || (int) c.level < 0 || c.level >= SHEGU_WF_NLEVELS)
			FAIL();
		if (c.escalations < before.escalations || c.rework_count < before.rework_count ||
			c.reopen_count < before.reopen_count || c.supervisions < before.supervisions)
			FAIL();
		if (c.state_since < before.state_since && e == SHEGU_WF_OK && !r.skip)
			FAIL();
		if (shegu_wf_clock_runs(c.state) && c.state != SHEGU_WF_REPORTED && c.due_at == SHEGU_WF_NOTIME)
			FAIL();
		if (!shegu_wf_has_stage(c.state) && c.stage_due_at != SHEGU_WF_NOTIME)
			FAIL();
		if (c.state == SHEGU_WF_SUSPENDED && c.resume_state >= SHEGU_WF_NSTATES)
			FAIL();
		if (r.nturns < 0 || r.nturns > 4)
			FAIL();
		if (c.level < before.level && in.action != SHEGU_WF_RETURN && in.action != SHEGU_WF_DISPATCH &&
			in.action != SHEGU_WF_RULE && in.action != SHEGU_WF_JOINT_DISPATCH && in.action != SHEGU_WF_SIMPLE_HANDLE)
			FAIL();
		/* simple handling: only where the category allows it, and it closes the case at the grid */
		if (e == SHEGU_WF_OK && in.action == SHEGU_WF_SIMPLE_HANDLE &&
			(!lim.simple_handling || c.state != SHEGU_WF_CLOSED || c.level != SHEGU_WF_GRID))
			FAIL();
	}
	return 0;
}
