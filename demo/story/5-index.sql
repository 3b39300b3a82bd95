-- The story, part 5: the index (社会治理指数).  The shipped model scores every community: 70 %
-- objective performance fed from the incident measures, 30 % a resident survey (seed 001: the
-- public-opinion survey carries 30 of 100 points); a community with a major event vetoed in the
-- register (seed 003: 黄牌警告、摘牌、一票否决) gets the lowest grade and no rank.
-- demo/story/5-index.sql — run by tools/demo.sh after 4-measure.sql.
SET search_path = shegu, public;
\pset footer off
\pset null '—'
\echo
\echo '== 5. The index 社会治理指数'
\echo 'The model as shipped (a county adapts it): dimensions, indicators, weights, the veto:'
SELECT code, title, weight, coalesce(source_column, survey_question) AS fed_from, veto_below
FROM index_node WHERE model = '社会治理指数' ORDER BY code;

\echo 'The resident survey of January (知晓度 awareness, 参与度 participation, 满意度 satisfaction, 1-5), 20 answers per question and community:'
\o /dev/null
SELECT setseed(0.31);
INSERT INTO survey_response (unit, period, question, score)
SELECT u.unit_code::gridcode, '2026-01-01', q,
       least(5, greatest(1, round(3.6 + random() * 1.6 - 1.4 * random() * (abs(hashtext(u.unit_code)) % 4 = 0)::int)))
FROM report_unit u, unnest('{知晓度,参与度,满意度}'::text[]) AS q, generate_series(1, 20)
WHERE u.level = 5 AND u.unit_code LIKE '430528%';
\o
SELECT question, count(*) AS answers, round(avg(score), 2) AS mean_score
FROM survey_response WHERE period = '2026-01-01' GROUP BY question ORDER BY question;

\echo 'A fire reported in January was a major public-safety accident (重大公共安全事故): the county registers it, then yellow card 黄牌警告, de-listing 摘牌, veto 一票否决 (seed 003):'
\o /dev/null
SELECT i.id AS fire_id, ancestor(i.grid, 5) AS fire_community, (i.reported_at AT TIME ZONE 'Asia/Shanghai')::date AS fire_day
FROM incident i
WHERE i.idempotency_key LIKE 'jan-%' AND i.category = 'hazard.fire' AND i.reported_at >= '2026-01-12' ORDER BY i.reported_at LIMIT 1 \gset
SELECT (register_major_event(:'fire_community', 'safety_accident', :'fire_day', '仓库火灾 warehouse fire',
                             incident_id => :fire_id)).id AS event_id \gset
SELECT sanction_major_event(:event_id, 'yellow_card', :'fire_day'::date + 2);
SELECT sanction_major_event(:event_id, 'delisting', :'fire_day'::date + 7);
SELECT sanction_major_event(:event_id, 'veto', :'fire_day'::date + 12);
\o
SELECT e.id, u.unit_path AS "community 社区/村", e.kind, e.title, e.incident_id, e.occurred_on, e.yellow_card_on,
       e.delisted_on, e.vetoed_on, e.stage, e.veto_from, e.veto_to
FROM major_event e JOIN report_unit u ON u.unit_code = e.unit::text;

\echo 'Feed the indicators from the measures and the survey, then compute and store January:'
SELECT feed_index('社会治理指数', '2026-01-01') AS values_fed, store_index('社会治理指数', '2026-01-01') AS scores_stored;

\echo 'The ranking of the communities (vetoed and blank ones last, each with the reason):'
SELECT coalesce(r.rank::text, '—') AS "rank 名次", r.unit_path AS "community 社区/村",
       round(r.index_value, 1) AS "index 指数", r.grade AS "grade 等次",
       round(d1.score, 1) AS "objective 客观", round(d2.score, 1) AS "survey 群众评价",
       coalesce(r.unranked_reason, '') AS "why no rank 说明"
FROM report_index r
LEFT JOIN report_index_dimension d1 ON d1.model = r.model AND d1.period_start = r.period_start AND d1.unit_code = r.unit_code AND d1.node = 'D1'
LEFT JOIN report_index_dimension d2 ON d2.model = r.model AND d2.period_start = r.period_start AND d2.unit_code = r.unit_code AND d2.node = 'D2'
WHERE r.model = '社会治理指数' AND r.period_start = '2026-01-01'
ORDER BY r.rank NULLS LAST, r.index_value DESC NULLS LAST, r.unit_code;

\echo 'How stable is the ranking when the weights move by ±20 %? (1,000 draws among all 22 communities, vetoed ones included; rank_p05-rank_p95 is the 90 % band)'
SELECT nominal_rank, u.unit_path AS "community 社区/村", round(mean_rank::numeric, 1) AS mean_rank, rank_p05, rank_p95
FROM index_uncertainty('社会治理指数', '2026-01-01', 1000, 0.2, 1) AS x
JOIN report_unit u ON u.unit_code = x.unit::text
WHERE nominal_rank <= 5 ORDER BY nominal_rank;
