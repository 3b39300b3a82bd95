-- shegu 0.2.0 -> 0.3.0, hand-written: everything src/*.sql changed since tag v0.2.0, so that
-- ALTER EXTENSION shegu UPDATE gives what CREATE EXTENSION shegu gives (test/upgrade/run.sh
-- checks the catalog object by object; docs/upgrading.md).  One section per room, in install
-- order; each room writes only inside its own section.
\echo Use "ALTER EXTENSION shegu UPDATE TO '0.3.0'" to load this file. \quit


-- ==== gridcode, coords, lookup, import, worktime (lower rooms)

-- ==== end gridcode, coords, lookup, import, worktime


-- ==== incident (workflow v2: engine, act(), joint handling, mediation)

-- ==== end incident


-- ==== incident figures (disposal rate, lights as of now, labelled defaults)

-- ==== end incident figures


-- ==== index (veto register, weights)

-- ==== end index


-- ==== security

-- ==== end security


-- ==== base (people, places, things)

-- ==== end base


-- ==== duty (duty cadence)

-- ==== end duty


-- ==== restore

-- ==== end restore


-- ==== report

-- ==== end report

