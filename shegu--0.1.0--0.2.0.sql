-- shegu 0.1.0 -> 0.2.0, hand-written: everything src/*.sql changed since tag v0.1.0, so that
-- ALTER EXTENSION shegu UPDATE gives what CREATE EXTENSION shegu gives (test/upgrade/run.sh
-- checks the catalog object by object; docs/upgrading.md).
\echo Use "ALTER EXTENSION shegu UPDATE TO '0.2.0'" to load this file. \quit

-- ---------------------------------------------------------------------------------------------
-- restore: shipped rows edited under 0.1.0 become the user's.  0.1.0 had no guard, so an edit
-- left shipped = true and pg_dump left the edit out.  A shipped row that differs from what
-- 0.1.0 shipped is the user's edit: it is marked shipped = false, so that pg_dump keeps it from
-- now on.  The rows 0.1.0 shipped, column by column, in JSON (intervals in the postgres style).
-- This must run before any change to the columns of these tables.
SET LOCAL intervalstyle = 'postgres';

UPDATE shegu.workday_override AS o SET shipped = false
WHERE o.shipped AND (pg_catalog.to_jsonb(o) OPERATOR(pg_catalog.-) 'shipped'::text) NOT IN (VALUES
    ('{"day": "2025-01-01", "name": "元旦 New Year", "is_workday": false}'::jsonb),
    ('{"day": "2025-01-26", "name": "春节 Spring Festival (make-up workday)", "is_workday": true}'::jsonb),
    ('{"day": "2025-01-28", "name": "春节 Spring Festival", "is_workday": false}'::jsonb),
    ('{"day": "2025-01-29", "name": "春节 Spring Festival", "is_workday": false}'::jsonb),
    ('{"day": "2025-01-30", "name": "春节 Spring Festival", "is_workday": false}'::jsonb),
    ('{"day": "2025-01-31", "name": "春节 Spring Festival", "is_workday": false}'::jsonb),
    ('{"day": "2025-02-01", "name": "春节 Spring Festival", "is_workday": false}'::jsonb),
    ('{"day": "2025-02-02", "name": "春节 Spring Festival", "is_workday": false}'::jsonb),
    ('{"day": "2025-02-03", "name": "春节 Spring Festival", "is_workday": false}'::jsonb),
    ('{"day": "2025-02-04", "name": "春节 Spring Festival", "is_workday": false}'::jsonb),
    ('{"day": "2025-02-08", "name": "春节 Spring Festival (make-up workday)", "is_workday": true}'::jsonb),
    ('{"day": "2025-04-04", "name": "清明节 Qingming", "is_workday": false}'::jsonb),
    ('{"day": "2025-04-05", "name": "清明节 Qingming", "is_workday": false}'::jsonb),
    ('{"day": "2025-04-06", "name": "清明节 Qingming", "is_workday": false}'::jsonb),
    ('{"day": "2025-04-27", "name": "劳动节 Labour Day (make-up workday)", "is_workday": true}'::jsonb),
    ('{"day": "2025-05-01", "name": "劳动节 Labour Day", "is_workday": false}'::jsonb),
    ('{"day": "2025-05-02", "name": "劳动节 Labour Day", "is_workday": false}'::jsonb),
    ('{"day": "2025-05-03", "name": "劳动节 Labour Day", "is_workday": false}'::jsonb),
    ('{"day": "2025-05-04", "name": "劳动节 Labour Day", "is_workday": false}'::jsonb),
    ('{"day": "2025-05-05", "name": "劳动节 Labour Day", "is_workday": false}'::jsonb),
    ('{"day": "2025-05-31", "name": "端午节 Dragon Boat", "is_workday": false}'::jsonb),
    ('{"day": "2025-06-01", "name": "端午节 Dragon Boat", "is_workday": false}'::jsonb),
    ('{"day": "2025-06-02", "name": "端午节 Dragon Boat", "is_workday": false}'::jsonb),
    ('{"day": "2025-09-28", "name": "国庆节 National Day (make-up workday)", "is_workday": true}'::jsonb),
    ('{"day": "2025-10-01", "name": "国庆节、中秋节 National Day and Mid-Autumn", "is_workday": false}'::jsonb),
    ('{"day": "2025-10-02", "name": "国庆节、中秋节 National Day and Mid-Autumn", "is_workday": false}'::jsonb),
    ('{"day": "2025-10-03", "name": "国庆节、中秋节 National Day and Mid-Autumn", "is_workday": false}'::jsonb),
    ('{"day": "2025-10-04", "name": "国庆节、中秋节 National Day and Mid-Autumn", "is_workday": false}'::jsonb),
    ('{"day": "2025-10-05", "name": "国庆节、中秋节 National Day and Mid-Autumn", "is_workday": false}'::jsonb),
    ('{"day": "2025-10-06", "name": "国庆节、中秋节 National Day and Mid-Autumn", "is_workday": false}'::jsonb),
    ('{"day": "2025-10-07", "name": "国庆节、中秋节 National Day and Mid-Autumn", "is_workday": false}'::jsonb),
    ('{"day": "2025-10-08", "name": "国庆节、中秋节 National Day and Mid-Autumn", "is_workday": false}'::jsonb),
    ('{"day": "2025-10-11", "name": "国庆节 National Day (make-up workday)", "is_workday": true}'::jsonb),
    ('{"day": "2026-01-01", "name": "元旦 New Year", "is_workday": false}'::jsonb),
    ('{"day": "2026-01-02", "name": "元旦 New Year", "is_workday": false}'::jsonb),
    ('{"day": "2026-01-03", "name": "元旦 New Year", "is_workday": false}'::jsonb),
    ('{"day": "2026-01-04", "name": "元旦 New Year (make-up workday)", "is_workday": true}'::jsonb),
    ('{"day": "2026-02-14", "name": "春节 Spring Festival (make-up workday)", "is_workday": true}'::jsonb),
    ('{"day": "2026-02-15", "name": "春节 Spring Festival", "is_workday": false}'::jsonb),
    ('{"day": "2026-02-16", "name": "春节 Spring Festival", "is_workday": false}'::jsonb),
    ('{"day": "2026-02-17", "name": "春节 Spring Festival", "is_workday": false}'::jsonb),
    ('{"day": "2026-02-18", "name": "春节 Spring Festival", "is_workday": false}'::jsonb),
    ('{"day": "2026-02-19", "name": "春节 Spring Festival", "is_workday": false}'::jsonb),
    ('{"day": "2026-02-20", "name": "春节 Spring Festival", "is_workday": false}'::jsonb),
    ('{"day": "2026-02-21", "name": "春节 Spring Festival", "is_workday": false}'::jsonb),
    ('{"day": "2026-02-22", "name": "春节 Spring Festival", "is_workday": false}'::jsonb),
    ('{"day": "2026-02-23", "name": "春节 Spring Festival", "is_workday": false}'::jsonb),
    ('{"day": "2026-02-28", "name": "春节 Spring Festival (make-up workday)", "is_workday": true}'::jsonb),
    ('{"day": "2026-04-04", "name": "清明节 Qingming", "is_workday": false}'::jsonb),
    ('{"day": "2026-04-05", "name": "清明节 Qingming", "is_workday": false}'::jsonb),
    ('{"day": "2026-04-06", "name": "清明节 Qingming", "is_workday": false}'::jsonb),
    ('{"day": "2026-05-01", "name": "劳动节 Labour Day", "is_workday": false}'::jsonb),
    ('{"day": "2026-05-02", "name": "劳动节 Labour Day", "is_workday": false}'::jsonb),
    ('{"day": "2026-05-03", "name": "劳动节 Labour Day", "is_workday": false}'::jsonb),
    ('{"day": "2026-05-04", "name": "劳动节 Labour Day", "is_workday": false}'::jsonb),
    ('{"day": "2026-05-05", "name": "劳动节 Labour Day", "is_workday": false}'::jsonb),
    ('{"day": "2026-05-09", "name": "劳动节 Labour Day (make-up workday)", "is_workday": true}'::jsonb),
    ('{"day": "2026-06-19", "name": "端午节 Dragon Boat", "is_workday": false}'::jsonb),
    ('{"day": "2026-06-20", "name": "端午节 Dragon Boat", "is_workday": false}'::jsonb),
    ('{"day": "2026-06-21", "name": "端午节 Dragon Boat", "is_workday": false}'::jsonb),
    ('{"day": "2026-09-20", "name": "国庆节 National Day (make-up workday)", "is_workday": true}'::jsonb),
    ('{"day": "2026-09-25", "name": "中秋节 Mid-Autumn", "is_workday": false}'::jsonb),
    ('{"day": "2026-09-26", "name": "中秋节 Mid-Autumn", "is_workday": false}'::jsonb),
    ('{"day": "2026-09-27", "name": "中秋节 Mid-Autumn", "is_workday": false}'::jsonb),
    ('{"day": "2026-10-01", "name": "国庆节 National Day", "is_workday": false}'::jsonb),
    ('{"day": "2026-10-02", "name": "国庆节 National Day", "is_workday": false}'::jsonb),
    ('{"day": "2026-10-03", "name": "国庆节 National Day", "is_workday": false}'::jsonb),
    ('{"day": "2026-10-04", "name": "国庆节 National Day", "is_workday": false}'::jsonb),
    ('{"day": "2026-10-05", "name": "国庆节 National Day", "is_workday": false}'::jsonb),
    ('{"day": "2026-10-06", "name": "国庆节 National Day", "is_workday": false}'::jsonb),
    ('{"day": "2026-10-07", "name": "国庆节 National Day", "is_workday": false}'::jsonb),
    ('{"day": "2026-10-10", "name": "国庆节 National Day (make-up workday)", "is_workday": true}'::jsonb)
);
UPDATE shegu.work_schedule AS o SET shipped = false
WHERE o.shipped AND (pg_catalog.to_jsonb(o) OPERATOR(pg_catalog.-) 'shipped'::text) NOT IN (VALUES
    ('{"name": "24x7", "periods": "00:00-24:00", "time_zone": "Asia/Shanghai", "workdays_only": false}'::jsonb),
    ('{"name": "default", "periods": "08:30-12:00,14:00-17:30", "time_zone": "Asia/Shanghai", "workdays_only": true}'::jsonb)
);
UPDATE shegu.incident_category AS o SET shipped = false
WHERE o.shipped AND (pg_catalog.to_jsonb(o) OPERATOR(pg_catalog.-) 'shipped'::text) NOT IN (VALUES
    ('{"code": "construction", "parent": null, "name_en": "Illegal construction", "name_zh": "违法建设", "schedule": "default", "accept_basis": "working", "accept_limit": "04:00:00", "yellow_share": 0.8, "dispose_basis": "working", "dispose_limit": "10 days", "handling_level": "township"}'::jsonb),
    ('{"code": "construction.building", "parent": "construction", "name_en": "Unauthorised building", "name_zh": "违章搭建", "schedule": "default", "accept_basis": "working", "accept_limit": "04:00:00", "yellow_share": 0.8, "dispose_basis": "working", "dispose_limit": "10 days", "handling_level": "township"}'::jsonb),
    ('{"code": "construction.land_use", "parent": "construction", "name_en": "Illegal land use", "name_zh": "违法占地", "schedule": "default", "accept_basis": "working", "accept_limit": "07:00:00", "yellow_share": 0.8, "dispose_basis": "working", "dispose_limit": "20 days", "handling_level": "county"}'::jsonb),
    ('{"code": "dispute", "parent": null, "name_en": "Disputes", "name_zh": "矛盾纠纷", "schedule": "default", "accept_basis": "working", "accept_limit": "04:00:00", "yellow_share": 0.8, "dispose_basis": "working", "dispose_limit": "5 days", "handling_level": "community"}'::jsonb),
    ('{"code": "dispute.family", "parent": "dispute", "name_en": "Marriage and family dispute", "name_zh": "婚姻家庭纠纷", "schedule": "default", "accept_basis": "working", "accept_limit": "04:00:00", "yellow_share": 0.8, "dispose_basis": "working", "dispose_limit": "3 days", "handling_level": "community"}'::jsonb),
    ('{"code": "dispute.labour", "parent": "dispute", "name_en": "Labour and wage dispute", "name_zh": "劳资纠纷", "schedule": "default", "accept_basis": "working", "accept_limit": "04:00:00", "yellow_share": 0.8, "dispose_basis": "working", "dispose_limit": "5 days", "handling_level": "township"}'::jsonb),
    ('{"code": "dispute.land", "parent": "dispute", "name_en": "Land and forest dispute", "name_zh": "土地山林纠纷", "schedule": "default", "accept_basis": "working", "accept_limit": "07:00:00", "yellow_share": 0.8, "dispose_basis": "working", "dispose_limit": "10 days", "handling_level": "township"}'::jsonb),
    ('{"code": "dispute.neighbour", "parent": "dispute", "name_en": "Neighbour dispute", "name_zh": "邻里纠纷", "schedule": "default", "accept_basis": "working", "accept_limit": "02:00:00", "yellow_share": 0.8, "dispose_basis": "working", "dispose_limit": "2 days", "handling_level": "grid"}'::jsonb),
    ('{"code": "environment", "parent": null, "name_en": "Environment and sanitation", "name_zh": "环境卫生", "schedule": "default", "accept_basis": "working", "accept_limit": "02:00:00", "yellow_share": 0.8, "dispose_basis": "working", "dispose_limit": "2 days", "handling_level": "grid"}'::jsonb),
    ('{"code": "environment.air", "parent": "environment", "name_en": "Air pollution", "name_zh": "大气污染", "schedule": "default", "accept_basis": "working", "accept_limit": "04:00:00", "yellow_share": 0.8, "dispose_basis": "working", "dispose_limit": "5 days", "handling_level": "township"}'::jsonb),
    ('{"code": "environment.garbage", "parent": "environment", "name_en": "Garbage dumping", "name_zh": "垃圾乱堆乱放", "schedule": "default", "accept_basis": "working", "accept_limit": "02:00:00", "yellow_share": 0.8, "dispose_basis": "working", "dispose_limit": "1 day", "handling_level": "grid"}'::jsonb),
    ('{"code": "environment.sewage", "parent": "environment", "name_en": "Sewage overflow", "name_zh": "污水外溢", "schedule": "default", "accept_basis": "working", "accept_limit": "02:00:00", "yellow_share": 0.8, "dispose_basis": "working", "dispose_limit": "2 days", "handling_level": "community"}'::jsonb),
    ('{"code": "hazard", "parent": null, "name_en": "Public safety hazards", "name_zh": "安全隐患", "schedule": "default", "accept_basis": "natural", "accept_limit": "01:00:00", "yellow_share": 0.8, "dispose_basis": "natural", "dispose_limit": "24:00:00", "handling_level": "community"}'::jsonb),
    ('{"code": "hazard.fire", "parent": "hazard", "name_en": "Fire hazard", "name_zh": "消防安全隐患", "schedule": "default", "accept_basis": "natural", "accept_limit": "01:00:00", "yellow_share": 0.8, "dispose_basis": "natural", "dispose_limit": "24:00:00", "handling_level": "community"}'::jsonb),
    ('{"code": "hazard.gas", "parent": "hazard", "name_en": "Gas safety hazard", "name_zh": "燃气安全隐患", "schedule": "default", "accept_basis": "natural", "accept_limit": "00:30:00", "yellow_share": 0.8, "dispose_basis": "natural", "dispose_limit": "12:00:00", "handling_level": "community"}'::jsonb),
    ('{"code": "hazard.production", "parent": "hazard", "name_en": "Workplace safety hazard", "name_zh": "安全生产隐患", "schedule": "default", "accept_basis": "natural", "accept_limit": "02:00:00", "yellow_share": 0.8, "dispose_basis": "natural", "dispose_limit": "72:00:00", "handling_level": "township"}'::jsonb),
    ('{"code": "hazard.road", "parent": "hazard", "name_en": "Road traffic hazard", "name_zh": "道路交通安全隐患", "schedule": "default", "accept_basis": "natural", "accept_limit": "02:00:00", "yellow_share": 0.8, "dispose_basis": "natural", "dispose_limit": "48:00:00", "handling_level": "township"}'::jsonb),
    ('{"code": "other", "parent": null, "name_en": "Other", "name_zh": "其他", "schedule": "default", "accept_basis": "working", "accept_limit": "04:00:00", "yellow_share": 0.8, "dispose_basis": "working", "dispose_limit": "5 days", "handling_level": "community"}'::jsonb),
    ('{"code": "petition", "parent": null, "name_en": "Petitions", "name_zh": "信访", "schedule": "default", "accept_basis": "natural", "accept_limit": "15 days", "yellow_share": 0.8, "dispose_basis": "natural", "dispose_limit": "60 days", "handling_level": "county"}'::jsonb),
    ('{"code": "public_service", "parent": null, "name_en": "Public services", "name_zh": "公共服务", "schedule": "default", "accept_basis": "working", "accept_limit": "04:00:00", "yellow_share": 0.8, "dispose_basis": "working", "dispose_limit": "5 days", "handling_level": "community"}'::jsonb),
    ('{"code": "public_service.facility", "parent": "public_service", "name_en": "Damaged public facility", "name_zh": "公共设施损坏", "schedule": "default", "accept_basis": "working", "accept_limit": "04:00:00", "yellow_share": 0.8, "dispose_basis": "working", "dispose_limit": "3 days", "handling_level": "community"}'::jsonb),
    ('{"code": "public_service.utility", "parent": "public_service", "name_en": "Water, power, gas and heating", "name_zh": "水电气暖", "schedule": "default", "accept_basis": "working", "accept_limit": "02:00:00", "yellow_share": 0.8, "dispose_basis": "working", "dispose_limit": "2 days", "handling_level": "township"}'::jsonb),
    ('{"code": "special", "parent": null, "name_en": "Special populations", "name_zh": "特殊人群", "schedule": "default", "accept_basis": "working", "accept_limit": "02:00:00", "yellow_share": 0.8, "dispose_basis": "working", "dispose_limit": "2 days", "handling_level": "community"}'::jsonb),
    ('{"code": "special.correction", "parent": "special", "name_en": "Person under community correction", "name_zh": "社区矫正人员", "schedule": "default", "accept_basis": "working", "accept_limit": "02:00:00", "yellow_share": 0.8, "dispose_basis": "working", "dispose_limit": "2 days", "handling_level": "community"}'::jsonb),
    ('{"code": "special.drug", "parent": "special", "name_en": "Drug user", "name_zh": "吸毒人员", "schedule": "default", "accept_basis": "working", "accept_limit": "02:00:00", "yellow_share": 0.8, "dispose_basis": "working", "dispose_limit": "2 days", "handling_level": "community"}'::jsonb),
    ('{"code": "special.mental", "parent": "special", "name_en": "Person with severe mental illness", "name_zh": "严重精神障碍患者", "schedule": "default", "accept_basis": "natural", "accept_limit": "01:00:00", "yellow_share": 0.8, "dispose_basis": "natural", "dispose_limit": "24:00:00", "handling_level": "community"}'::jsonb),
    ('{"code": "special.released", "parent": "special", "name_en": "Released prisoner", "name_zh": "刑满释放人员", "schedule": "default", "accept_basis": "working", "accept_limit": "02:00:00", "yellow_share": 0.8, "dispose_basis": "working", "dispose_limit": "2 days", "handling_level": "community"}'::jsonb)
);
UPDATE shegu.index_model AS o SET shipped = false
WHERE o.shipped AND (pg_catalog.to_jsonb(o) OPERATOR(pg_catalog.-) 'shipped'::text) NOT IN (VALUES
    ('{"name": "社会治理指数", "level": 5, "scale": 100, "title": "社会治理指数 social governance index", "min_share": 0.5, "zero_floor": 0, "description": "Default model: 70% objective performance from shegu.incident_measures, 30% resident survey (seed 001: the public-opinion survey carries 30 of 100 points); communities (level 5) are scored; adapt it to local practice.", "population_indicator": null}'::jsonb)
);
UPDATE shegu.index_node AS o SET shipped = false
WHERE o.shipped AND (pg_catalog.to_jsonb(o) OPERATOR(pg_catalog.-) 'shipped'::text) NOT IN (VALUES
    ('{"hi": null, "lo": null, "code": "D1", "clamp": true, "model": "社会治理指数", "title": "客观治理绩效 objective performance", "parent": "SGI", "rollup": "mean", "source": null, "target": null, "weight": 0.7, "winsor": 0, "missing": "omit", "direction": 1, "transform": "none", "veto_above": null, "veto_below": null, "aggregation": "arithmetic", "normalization": "minmax", "source_column": null, "per_population": null, "survey_question": null}'::jsonb),
    ('{"hi": 1, "lo": 0, "code": "D1.1", "clamp": true, "model": "社会治理指数", "title": "处置率 disposal rate", "parent": "D1", "rollup": "mean", "source": "shegu.incident_measures", "target": null, "weight": 0.25, "winsor": 0, "missing": "omit", "direction": 1, "transform": "none", "veto_above": null, "veto_below": 0.95, "aggregation": "arithmetic", "normalization": "goalpost", "source_column": "disposal_rate", "per_population": null, "survey_question": null}'::jsonb),
    ('{"hi": 1, "lo": 0, "code": "D1.2", "clamp": true, "model": "社会治理指数", "title": "按时办结率 on-time closure rate", "parent": "D1", "rollup": "mean", "source": "shegu.incident_measures", "target": null, "weight": 0.25, "winsor": 0, "missing": "omit", "direction": 1, "transform": "none", "veto_above": null, "veto_below": null, "aggregation": "arithmetic", "normalization": "goalpost", "source_column": "on_time_rate", "per_population": null, "survey_question": null}'::jsonb),
    ('{"hi": 0.2, "lo": 0, "code": "D1.3", "clamp": true, "model": "社会治理指数", "title": "返工率 rework rate", "parent": "D1", "rollup": "mean", "source": "shegu.incident_measures", "target": null, "weight": 0.15, "winsor": 0, "missing": "omit", "direction": -1, "transform": "none", "veto_above": null, "veto_below": null, "aggregation": "arithmetic", "normalization": "goalpost", "source_column": "rework_rate", "per_population": null, "survey_question": null}'::jsonb),
    ('{"hi": null, "lo": null, "code": "D1.4", "clamp": true, "model": "社会治理指数", "title": "办结平均工时 average working hours to close", "parent": "D1", "rollup": "mean", "source": "shegu.incident_measures", "target": null, "weight": 0.15, "winsor": 0, "missing": "omit", "direction": -1, "transform": "none", "veto_above": null, "veto_below": null, "aggregation": "arithmetic", "normalization": "minmax", "source_column": "avg_work_hours_to_close", "per_population": null, "survey_question": null}'::jsonb),
    ('{"hi": 1, "lo": 0, "code": "D1.5", "clamp": true, "model": "社会治理指数", "title": "事件满意率 reporters'' satisfaction rate", "parent": "D1", "rollup": "mean", "source": "shegu.incident_measures", "target": null, "weight": 0.2, "winsor": 0, "missing": "omit", "direction": 1, "transform": "none", "veto_above": null, "veto_below": null, "aggregation": "arithmetic", "normalization": "goalpost", "source_column": "satisfaction_rate", "per_population": null, "survey_question": null}'::jsonb),
    ('{"hi": null, "lo": null, "code": "D2", "clamp": true, "model": "社会治理指数", "title": "群众评价 resident survey", "parent": "SGI", "rollup": "mean", "source": null, "target": null, "weight": 0.3, "winsor": 0, "missing": "omit", "direction": 1, "transform": "none", "veto_above": null, "veto_below": null, "aggregation": "arithmetic", "normalization": "minmax", "source_column": null, "per_population": null, "survey_question": null}'::jsonb),
    ('{"hi": 5, "lo": 1, "code": "D2.1", "clamp": true, "model": "社会治理指数", "title": "知晓度 awareness", "parent": "D2", "rollup": "mean", "source": null, "target": null, "weight": 1, "winsor": 0, "missing": "parent_mean", "direction": 1, "transform": "none", "veto_above": null, "veto_below": null, "aggregation": "arithmetic", "normalization": "goalpost", "source_column": null, "per_population": null, "survey_question": "知晓度"}'::jsonb),
    ('{"hi": 5, "lo": 1, "code": "D2.2", "clamp": true, "model": "社会治理指数", "title": "参与度 participation", "parent": "D2", "rollup": "mean", "source": null, "target": null, "weight": 1, "winsor": 0, "missing": "parent_mean", "direction": 1, "transform": "none", "veto_above": null, "veto_below": null, "aggregation": "arithmetic", "normalization": "goalpost", "source_column": null, "per_population": null, "survey_question": "参与度"}'::jsonb),
    ('{"hi": 5, "lo": 1, "code": "D2.3", "clamp": true, "model": "社会治理指数", "title": "满意度 satisfaction", "parent": "D2", "rollup": "mean", "source": null, "target": null, "weight": 1, "winsor": 0, "missing": "parent_mean", "direction": 1, "transform": "none", "veto_above": null, "veto_below": null, "aggregation": "arithmetic", "normalization": "goalpost", "source_column": null, "per_population": null, "survey_question": "满意度"}'::jsonb),
    ('{"hi": null, "lo": null, "code": "SGI", "clamp": true, "model": "社会治理指数", "title": "社会治理指数 social governance index", "parent": null, "rollup": "mean", "source": null, "target": null, "weight": 1, "winsor": 0, "missing": "omit", "direction": 1, "transform": "none", "veto_above": null, "veto_below": null, "aggregation": "arithmetic", "normalization": "minmax", "source_column": null, "per_population": null, "survey_question": null}'::jsonb)
);
UPDATE shegu.index_grade AS o SET shipped = false
WHERE o.shipped AND (pg_catalog.to_jsonb(o) OPERATOR(pg_catalog.-) 'shipped'::text) NOT IN (VALUES
    ('{"grade": "不合格", "model": "社会治理指数", "min_score": 0}'::jsonb),
    ('{"grade": "优秀", "model": "社会治理指数", "min_score": 90}'::jsonb),
    ('{"grade": "合格", "model": "社会治理指数", "min_score": 60}'::jsonb),
    ('{"grade": "良好", "model": "社会治理指数", "min_score": 80}'::jsonb)
);

-- =============================================================================================
-- gridcode: names of official divisions, as appended to src/gridcode.sql since 0.1.0 (the C of
-- the type now also accepts the zero city and county segments of real codes: no SQL change).
-- ---------------------------------------------------------------------------------------------
-- Names of official divisions (区划名称): provinces down to villages/communities, loaded from
-- the statistical division code list (统计用区划代码) of the National Bureau of Statistics.

CREATE TABLE shegu.division (
    code   shegu.gridcode PRIMARY KEY,
    name   text NOT NULL,
    parent shegu.gridcode GENERATED ALWAYS AS (shegu.parent(code)) STORED,
    level  int GENERATED ALWAYS AS (shegu.level(code)) STORED,
    CONSTRAINT division_name CHECK (btrim(name) <> '' AND name !~ '[/\r\n]'),
    CONSTRAINT division_level CHECK (level <= 5)
);
CREATE INDEX division_parent_idx ON shegu.division (parent);
SELECT pg_catalog.pg_extension_config_dump('shegu.division', '');

COMMENT ON TABLE shegu.division IS
    'names of official divisions (区划名称) at levels 1-5 (province 省 to village/community 村/社区), one row per code; filled by shegu.load_divisions from the NBS statistical division code list (统计用区划代码); shegu ships no rows';
COMMENT ON COLUMN shegu.division.code IS 'the division''s code (levels 1-5; 441900003 is a township of 东莞市, whose county segment is 00)';
COMMENT ON COLUMN shegu.division.name IS 'official name, e.g. 新宁县 or 东城街道';
COMMENT ON COLUMN shegu.division.parent IS 'shegu.parent(code), kept for finding children by index (NULL for a province)';
COMMENT ON COLUMN shegu.division.level IS 'shegu.level(code): 1 province 省, 2 city 市, 3 county 县, 4 township/street 乡镇/街道, 5 village/community 村/社区';
COMMENT ON CONSTRAINT division_pkey ON shegu.division IS 'one name per code';
COMMENT ON INDEX shegu.division_pkey IS 'finds a division''s name by code';
COMMENT ON INDEX shegu.division_parent_idx IS 'finds the children of a division';
COMMENT ON CONSTRAINT division_name ON shegu.division IS 'a name is not blank and holds no "/" (the separator of shegu.division_path) and no line break';
COMMENT ON CONSTRAINT division_level ON shegu.division IS 'divisions are levels 1-5; grids (levels 6-7) are named in shegu.grid';

CREATE FUNCTION shegu.division_invalidate() RETURNS trigger
    AS 'MODULE_PATHNAME', 'gridcode_division_invalidate' LANGUAGE C;
COMMENT ON FUNCTION shegu.division_invalidate() IS
    'statement trigger of shegu.division: tells every session to drop its cached division names';
CREATE TRIGGER division_invalidate AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE
    ON shegu.division FOR EACH STATEMENT EXECUTE FUNCTION shegu.division_invalidate();
COMMENT ON TRIGGER division_invalidate ON shegu.division IS 'invalidates the cached division names of every session';

CREATE FUNCTION shegu.load_divisions(csv text)
    RETURNS TABLE (inserted int, updated int, unchanged int)
    LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE
    SET search_path FROM CURRENT
AS $fn$
DECLARE
    ns int[];
    raws text[];
    code_texts text[];
    name_texts text[];
    parent_texts text[];
    codes shegu.gridcode[];
    names text[];
    parents shegu.gridcode[];
    bad record;
    detail text;
    why text;
BEGIN
    IF csv IS NULL THEN
        RAISE EXCEPTION 'division list is NULL' USING ERRCODE = 'null_value_not_allowed';
    END IF;
    -- Lines, numbered from 1; blank lines and a header line "code,name,parent" are skipped.
    SELECT array_agg(l.n ORDER BY l.n), array_agg(l.line ORDER BY l.n) INTO ns, raws
    FROM regexp_split_to_table(regexp_replace(csv, E'^\ufeff', ''), E'\r?\n') WITH ORDINALITY AS l(line, n)
    WHERE btrim(l.line, E' \t') <> ''
      AND NOT (l.n = 1 AND l.line ~* E'^\\s*code\\s*,\\s*name\\s*,\\s*parent\\s*$');
    IF ns IS NULL THEN
        RAISE EXCEPTION 'division list has no rows'
            USING ERRCODE = 'invalid_parameter_value',
                  HINT = 'Give lines of code,name,parent, e.g. 441900003000,东城街道,441900000000.';
    END IF;

    -- Fields: the code before the first comma, the parent after the last, the name between.
    SELECT array_agg(btrim(f.c, E' \t') ORDER BY u.n), array_agg(btrim(f.m, E' \t') ORDER BY u.n),
           array_agg(btrim(f.p, E' \t') ORDER BY u.n)
      INTO code_texts, name_texts, parent_texts
    FROM unnest(ns, raws) AS u(n, raw),
         LATERAL (SELECT split_part(u.raw, ',', 1) AS c, split_part(u.raw, ',', -1) AS p) AS s,
         LATERAL (SELECT s.c, s.p,
                         substr(u.raw, length(s.c) + 2, greatest(length(u.raw) - length(s.c) - length(s.p) - 2, 0)) AS m) AS f;

    SELECT u.n, u.raw INTO bad FROM unnest(ns, raws, name_texts) AS u(n, raw, name)
    WHERE u.raw NOT LIKE '%,%,%'
       OR (u.name LIKE '"%' AND (length(u.name) < 2 OR u.name NOT LIKE '%"'
                                 OR replace(substr(u.name, 2, length(u.name) - 2), '""', '') LIKE '%"%'))
       OR (u.name NOT LIKE '"%' AND u.name LIKE '%"%')
    ORDER BY u.n LIMIT 1;
    IF FOUND THEN
        RAISE EXCEPTION 'line % of the division list is not code,name,parent: "%"', bad.n, bad.raw
            USING ERRCODE = 'invalid_text_representation',
                  HINT = 'Three fields separated by commas; a name holding a quote is quoted ("...", "" inside).';
    END IF;
    names := (SELECT array_agg(CASE WHEN x LIKE '"%' THEN replace(substr(x, 2, length(x) - 2), '""', '"') ELSE x END
                               ORDER BY i)
              FROM unnest(name_texts) WITH ORDINALITY AS t(x, i));

    -- Codes and parents: all at once; on a bad one, find its line.
    BEGIN
        SELECT array_agg(u.c::shegu.gridcode ORDER BY u.i),
               array_agg(CASE WHEN u.p ~ '^0*$' THEN NULL ELSE u.p::shegu.gridcode END ORDER BY u.i)
          INTO codes, parents
        FROM unnest(code_texts, parent_texts) WITH ORDINALITY AS u(c, p, i);
    EXCEPTION WHEN invalid_text_representation THEN
        FOR bad IN SELECT u.n, u.c AS code, u.p AS parent
                   FROM unnest(ns, code_texts, parent_texts) AS u(n, c, p) ORDER BY u.n
        LOOP
            BEGIN
                PERFORM bad.code::shegu.gridcode;
                PERFORM CASE WHEN bad.parent ~ '^0*$' THEN NULL ELSE bad.parent::shegu.gridcode END;
            EXCEPTION WHEN invalid_text_representation THEN
                GET STACKED DIAGNOSTICS detail = MESSAGE_TEXT, why = PG_EXCEPTION_DETAIL;
                RAISE EXCEPTION 'line % of the division list: %', bad.n, detail
                    USING ERRCODE = 'invalid_text_representation', DETAIL = why;
            END;
        END LOOP;
        RAISE;
    END;

    SELECT u.n, u.code INTO bad FROM unnest(ns, codes) AS u(n, code)
    WHERE shegu.level(u.code) > 5 ORDER BY u.n LIMIT 1;
    IF FOUND THEN
        RAISE EXCEPTION 'line % of the division list: % is a level-% grid, not a division', bad.n, bad.code, shegu.level(bad.code)
            USING ERRCODE = 'invalid_parameter_value',
                  DETAIL = 'Divisions are levels 1-5 (province to village/community); grids are kept in shegu.grid.';
    END IF;
    SELECT u.n, u.name INTO bad FROM unnest(ns, names) AS u(n, name)
    WHERE btrim(u.name) = '' OR u.name ~ '[/\r\n]' ORDER BY u.n LIMIT 1;
    IF FOUND THEN
        RAISE EXCEPTION 'line % of the division list: name "%" is blank or holds a "/"', bad.n, bad.name
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    SELECT u.n, u.code, u.parent, shegu.parent(u.code) AS want INTO bad
    FROM unnest(ns, codes, parents) AS u(n, code, parent)
    WHERE u.parent IS DISTINCT FROM shegu.parent(u.code) ORDER BY u.n LIMIT 1;
    IF FOUND THEN
        RAISE EXCEPTION 'line % of the division list: parent % of % is not its parent %',
                        bad.n, coalesce(bad.parent::text, '(none)'), bad.code, coalesce(bad.want::text, '(none)')
            USING ERRCODE = 'invalid_parameter_value',
                  DETAIL = 'The parent of a code is the code cut after its last non-zero segment above its own (441900003 -> 4419, 810001 -> 81); a province has none (empty or 0).';
    END IF;
    SELECT a.n AS first, b.n AS second, a.code INTO bad
    FROM unnest(ns, codes) AS a(n, code) JOIN unnest(ns, codes) AS b(n, code) ON a.code = b.code AND a.n < b.n
    ORDER BY b.n LIMIT 1;
    IF FOUND THEN
        RAISE EXCEPTION 'lines % and % of the division list both name %', bad.first, bad.second, bad.code
            USING ERRCODE = 'unique_violation';
    END IF;

    RETURN QUERY
    WITH up AS (
        INSERT INTO shegu.division AS d (code, name)
        SELECT u.code, u.name FROM unnest(codes, names) AS u(code, name)
        ON CONFLICT (code) DO UPDATE SET name = excluded.name WHERE d.name IS DISTINCT FROM excluded.name
        RETURNING (d.xmax = 0) AS is_new
    )
    SELECT count(*) FILTER (WHERE is_new)::int, count(*) FILTER (WHERE NOT is_new)::int,
           (cardinality(codes) - count(*))::int
    FROM up;
END;
$fn$;
COMMENT ON FUNCTION shegu.load_divisions(text) IS
    'loads the NBS statistical division code list (统计用区划代码) as CSV text, lines of code,name,parent (12-digit codes as published, a header line optional, a province''s parent empty or 0): checks every line (parent must be shegu.parent(code)), then inserts new codes and renames changed ones, all or nothing; returns the counts inserted, updated (renamed) and unchanged';

CREATE FUNCTION shegu.division_name(code shegu.gridcode) RETURNS text
    AS 'MODULE_PATHNAME', 'gridcode_division_name' LANGUAGE C STABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION shegu.division_name(shegu.gridcode) IS
    'the official name (区划名称) of a division code from shegu.division; NULL when the code is not loaded; cached per session';

CREATE FUNCTION shegu.division_path(code shegu.gridcode, separator text DEFAULT '/') RETURNS text
    AS 'MODULE_PATHNAME', 'gridcode_division_path' LANGUAGE C STABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION shegu.division_path(shegu.gridcode, text) IS
    'the names of the divisions containing a code, province first, down to its own level or village/community at most, joined by separator (湖南省/邵阳市/新宁县); skipped zero levels are left out; a division not loaded shows its code';

CREATE FUNCTION shegu.division_names(code shegu.gridcode,
        OUT province text, OUT city text, OUT county text, OUT township text, OUT village text)
    AS 'MODULE_PATHNAME', 'gridcode_division_names' LANGUAGE C STABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION shegu.division_names(shegu.gridcode) IS
    'the names of the divisions containing a code at levels 1-5 as columns province 省, city 市, county 县, township 乡镇/街道, village 村/社区; NULL below the code''s level, at a skipped zero level (东莞市 has no county) and for a division not loaded';

-- =============================================================================================
-- worktime: the State Council's yearly notice, as appended to src/worktime.sql since 0.1.0.
-- ---------------------------------------------------------------------------------------------
-- The State Council's yearly notice (国务院办公厅关于X年部分节假日安排的通知), read into overrides.

CREATE FUNCTION shegu.parse_notice_date(year int, fragment text, after date DEFAULT NULL)
    RETURNS date
    LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE
AS $fn$
DECLARE
    m text[];
    y int;
    mo int;
    d int;
    result date;
    wd text;
    want int;
BEGIN
    m := regexp_match(fragment, '^(?:([0-9]{4})年)?(?:([0-9]{1,2})月)?([0-9]{1,2})日(?:（([^（）]*)）)?$');
    IF m IS NULL THEN
        RAISE EXCEPTION 'cannot read "%" of the holiday notice as a date', fragment
            USING ERRCODE = 'invalid_text_representation',
                  HINT = 'A date is written 1月28日, 2018年12月29日 or, after 至, 4日; a note in （） may follow.';
    END IF;
    y := coalesce(m[1]::int, extract(year FROM after)::int, year);
    mo := coalesce(m[2]::int, extract(month FROM after)::int);
    d := m[3]::int;
    IF mo IS NULL THEN
        RAISE EXCEPTION 'date "%" of the holiday notice has no month', fragment
            USING ERRCODE = 'invalid_text_representation';
    END IF;
    IF y NOT BETWEEN year - 1 AND year + 1 THEN
        RAISE EXCEPTION 'date "%" of the holiday notice for % lies in %', fragment, year, y
            USING ERRCODE = 'invalid_parameter_value',
                  DETAIL = 'A notice only names days of its year and the days next to it.';
    END IF;
    IF mo NOT BETWEEN 1 AND 12 OR d < 1 OR d > extract(day FROM make_date(y, mo, 1) + interval '1 month' - interval '1 day') THEN
        RAISE EXCEPTION 'date "%" of the holiday notice does not exist in %', fragment, y
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    result := make_date(y, mo, d);
    IF after IS NOT NULL AND result < after THEN
        RAISE EXCEPTION 'date "%" of the holiday notice ends a range before its start %', fragment, after
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    -- A weekday in the note (周三, 星期六) must be the date's.
    wd := (regexp_match(coalesce(m[4], ''), '(?:周|星期)([一二三四五六日天])'))[1];
    IF wd IS NOT NULL THEN
        want := strpos('日一二三四五六', CASE wd WHEN '天' THEN '日' ELSE wd END) - 1;
        IF extract(dow FROM result)::int <> want THEN
            RAISE EXCEPTION 'date "%" of the holiday notice: % is a %, not 周%', fragment, result,
                            to_char(result, 'FMDay'), wd
                USING ERRCODE = 'invalid_parameter_value';
        END IF;
    END IF;
    RETURN result;
END;
$fn$;
COMMENT ON FUNCTION shegu.parse_notice_date(int, text, date) IS
    'helper of shegu.parse_holiday_notice: one date of a holiday notice (1月28日（农历除夕、周二）, 2018年12月29日（星期六）, or 6日 after a start date) in the notice''s year; checks that the date exists and that a weekday in the note is right';

CREATE FUNCTION shegu.parse_holiday_notice(year int, notice text)
    RETURNS TABLE (day date, is_workday boolean, name text)
    LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE
AS $fn$
DECLARE
    numerals constant text := '一二三四五六七八九十';
    festivals constant text[] := ARRAY['元旦', '春节', '清明节', '劳动节', '端午节', '中秋节', '国庆节'];
    english constant text[] := ARRAY['New Year', 'Spring Festival', 'Qingming', 'Labour Day',
                                     'Dragon Boat', 'Mid-Autumn', 'National Day'];
    text_norm text;
    line text;
    item text[];
    expected_no int := 1;
    no int;
    names text[];
    k int;
    zh text;
    en text;
    holiday_name text;
    makeup_name text;
    sentence text;
    clause text;
    m text[];
    d0 date;
    d1 date;
    item_days int;
    last_from date;
    last_to date;
    frag text;
    days date[] := '{}';
    works boolean[] := '{}';
    labels text[] := '{}';
    dd date;
    stated_year int;
BEGIN
    IF year IS NULL OR notice IS NULL THEN
        RAISE EXCEPTION 'year and notice text must not be NULL' USING ERRCODE = 'null_value_not_allowed';
    END IF;
    IF year NOT BETWEEN 1950 AND 9998 THEN
        RAISE EXCEPTION 'holiday notice year % is out of range', year
            USING ERRCODE = 'invalid_parameter_value', DETAIL = 'Years run from 1950 to 9998.';
    END IF;
    -- Half-width punctuation as reposted on the web reads like the full-width original.
    text_norm := translate(notice, '():,;', '（）：，；');
    -- An item starts a line, also where a repost ran the items together after a 。.
    text_norm := regexp_replace(text_norm, '。[[:space:]　]*([' || numerals || ']{1,3}、)', E'。\n\\1', 'g');
    stated_year := (regexp_match(text_norm, '([0-9]{4})年(?:部分节假日安排|元旦、)'))[1]::int;
    IF stated_year IS NOT NULL AND stated_year <> year THEN
        RAISE EXCEPTION 'the holiday notice is for %, not %', stated_year, year
            USING ERRCODE = 'invalid_parameter_value';
    END IF;

    FOR line IN SELECT l FROM regexp_split_to_table(text_norm, E'\\s*\\n\\s*') AS l LOOP
        line := regexp_replace(line, '[[:space:]　]+', '', 'g');
        IF line !~ ('^[' || numerals || ']+、') THEN
            CONTINUE;               -- the heading, the preamble, the closing words
        END IF;
        item := regexp_match(line, '^([' || numerals || ']{1,3})、([^：]+)：(.+)$');
        IF item IS NULL THEN
            RAISE EXCEPTION 'cannot read item "%" of the holiday notice', line
                USING ERRCODE = 'invalid_text_representation',
                      HINT = 'An item reads 一、元旦：1月1日（周四）至3日（周六）放假调休，共3天。1月4日（周日）上班。';
        END IF;
        no := CASE WHEN length(item[1]) = 1 AND item[1] = '十' THEN 10
                   WHEN length(item[1]) = 1 THEN strpos(numerals, item[1])
                   WHEN item[1] ~ '^十.$' THEN 10 + strpos(numerals, substr(item[1], 2, 1))
                   ELSE -1 END;
        IF no <> expected_no THEN
            RAISE EXCEPTION 'item "%、" of the holiday notice comes where item % was expected', item[1], expected_no
                USING ERRCODE = 'invalid_text_representation',
                      DETAIL = 'Items are numbered 一、二、三、… without gaps.';
        END IF;
        expected_no := expected_no + 1;

        names := string_to_array(item[2], '、');
        zh := NULL;
        en := NULL;
        FOR k IN 1 .. cardinality(names) LOOP
            IF NOT names[k] = ANY (festivals) THEN
                RAISE EXCEPTION 'unknown festival "%" in item %、 of the holiday notice', names[k], item[1]
                    USING ERRCODE = 'invalid_parameter_value',
                          HINT = 'The notice names 元旦, 春节, 清明节, 劳动节, 端午节, 中秋节 and 国庆节.';
            END IF;
            en := CASE WHEN k = 1 THEN '' WHEN k = cardinality(names) THEN en || ' and ' ELSE en || ', ' END
                  || english[array_position(festivals, names[k])];
        END LOOP;
        holiday_name := item[2] || ' ' || en;
        makeup_name := names[1] || ' ' || english[array_position(festivals, names[1])] || ' (make-up workday)';

        item_days := 0;
        last_from := NULL;
        FOR sentence IN SELECT s FROM regexp_split_to_table(item[3], '。') AS s WHERE s <> '' LOOP
            FOR clause IN SELECT c FROM regexp_split_to_table(sentence, '，') AS c LOOP
                IF clause = '' THEN
                    RAISE EXCEPTION 'empty clause in item %、 of the holiday notice: "%"', item[1], sentence
                        USING ERRCODE = 'invalid_text_representation';
                END IF;
                -- holidays: 1月28日（…）至2月4日（…）放假调休 / 1月1日放假1天 / 1月2日（星期一）补休
                m := regexp_match(clause, '^(.+?)(?:至(.+?))?(?:放假(?:调休)?|补休)(?:([0-9]+)天)?$');
                IF m IS NOT NULL THEN
                    d0 := shegu.parse_notice_date(year, m[1]);
                    d1 := CASE WHEN m[2] IS NULL THEN d0 ELSE shegu.parse_notice_date(year, m[2], d0) END;
                    IF m[3] IS NOT NULL AND m[3]::int <> d1 - d0 + 1 THEN
                        RAISE EXCEPTION 'clause "%" of the holiday notice says % days, the dates give %',
                                        clause, m[3], d1 - d0 + 1
                            USING ERRCODE = 'invalid_parameter_value';
                    END IF;
                    FOR dd IN SELECT g::date FROM generate_series(d0, d1, interval '1 day') AS g LOOP
                        days := days || dd; works := works || false; labels := labels || holiday_name;
                    END LOOP;
                    item_days := item_days + (d1 - d0 + 1);
                    last_from := d0;
                    last_to := d1;
                    CONTINUE;
                END IF;
                -- 共3天: the item's holidays so far
                m := regexp_match(clause, '^共([0-9]+)天$');
                IF m IS NOT NULL THEN
                    IF m[1]::int <> item_days THEN
                        RAISE EXCEPTION 'clause "%" of item %、 of the holiday notice: the dates give % days', clause, item[1], item_days
                            USING ERRCODE = 'invalid_parameter_value';
                    END IF;
                    CONTINUE;
                END IF;
                IF clause = '不调休' THEN
                    CONTINUE;
                END IF;
                -- 与周末连休: the weekend next to the holiday joins it (within the year)
                IF clause = '与周末连休' THEN
                    IF last_from IS NULL THEN
                        RAISE EXCEPTION '"%" in item %、 of the holiday notice follows no holiday', clause, item[1]
                            USING ERRCODE = 'invalid_text_representation';
                    END IF;
                    dd := last_from - 1;
                    WHILE extract(isodow FROM dd) >= 6 AND extract(year FROM dd) = year LOOP
                        days := days || dd; works := works || false; labels := labels || holiday_name;
                        dd := dd - 1;
                    END LOOP;
                    dd := last_to + 1;
                    WHILE extract(isodow FROM dd) >= 6 AND extract(year FROM dd) = year LOOP
                        days := days || dd; works := works || false; labels := labels || holiday_name;
                        dd := dd + 1;
                    END LOOP;
                    CONTINUE;
                END IF;
                -- make-up working days: 1月26日（周日）、2月8日（周六）上班
                m := regexp_match(clause, '^(.+)上班$');
                IF m IS NOT NULL THEN
                    FOREACH frag IN ARRAY regexp_split_to_array(m[1], '、(?![^（）]*）)') LOOP
                        dd := shegu.parse_notice_date(year, frag);
                        IF extract(isodow FROM dd) < 6 THEN
                            RAISE EXCEPTION 'make-up working day "%" of the holiday notice is a %, not a weekend day',
                                            frag, to_char(dd, 'FMDay')
                                USING ERRCODE = 'invalid_parameter_value';
                        END IF;
                        days := days || dd; works := works || true; labels := labels || makeup_name;
                    END LOOP;
                    CONTINUE;
                END IF;
                RAISE EXCEPTION 'cannot read "%" in item %、 of the holiday notice', clause, item[1]
                    USING ERRCODE = 'invalid_text_representation',
                          HINT = 'Clauses read like 1月1日（周四）至3日（周六）放假调休, 共3天, 放假1天, 不调休, 与周末连休, 1月2日（星期一）补休 or 1月4日（周日）、2月8日（周六）上班.';
            END LOOP;
        END LOOP;
    END LOOP;

    IF expected_no = 1 THEN
        RAISE EXCEPTION 'the holiday notice has no numbered items'
            USING ERRCODE = 'invalid_text_representation',
                  HINT = 'Give the notice text with its items 一、元旦：… 二、春节：… each on its own line.';
    END IF;
    SELECT u.d INTO dd FROM unnest(days) AS u(d) GROUP BY u.d HAVING count(*) > 1 ORDER BY u.d LIMIT 1;
    IF FOUND THEN
        RAISE EXCEPTION 'the holiday notice names % twice', dd USING ERRCODE = 'invalid_parameter_value';
    END IF;
    RETURN QUERY SELECT u.d, u.w, u.l FROM unnest(days, works, labels) AS u(d, w, l) ORDER BY u.d;
END;
$fn$;
COMMENT ON FUNCTION shegu.parse_holiday_notice(int, text) IS
    'reads the State Council''s holiday notice for a year (国务院办公厅关于X年部分节假日安排的通知) into override rows: every day of each holiday (放假, 补休, 与周末连休) as a day off named after its festival, every make-up working day (上班) as a working day; checks weekdays, day counts (共N天) and item numbering, and refuses any clause it cannot read, naming it';

CREATE FUNCTION shegu.load_holiday_notice(year int, notice text)
    RETURNS TABLE (holidays int, workdays int, replaced int)
    LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE
    SET search_path FROM CURRENT
AS $fn$
DECLARE
    parsed_days date[];
    parsed_work boolean[];
    parsed_name text[];
    clash record;
    removed int;
BEGIN
    SELECT array_agg(p.day ORDER BY p.day), array_agg(p.is_workday ORDER BY p.day), array_agg(p.name ORDER BY p.day)
      INTO parsed_days, parsed_work, parsed_name
    FROM shegu.parse_holiday_notice(year, notice) AS p;

    -- Shipped rows stand: the notice may repeat them, never contradict them.
    SELECT o.day, o.is_workday, o.name INTO clash
    FROM unnest(parsed_days, parsed_work) AS p(day, is_workday)
    JOIN shegu.workday_override AS o ON o.day = p.day AND o.shipped AND o.is_workday <> p.is_workday
    ORDER BY o.day LIMIT 1;
    IF FOUND THEN
        RAISE EXCEPTION 'the holiday notice for % contradicts the shipped calendar on %', year, clash.day
            USING ERRCODE = 'invalid_parameter_value',
                  DETAIL = format('shegu ships %s as %s (%s).', clash.day,
                                  CASE WHEN clash.is_workday THEN 'a working day' ELSE 'a day off' END, clash.name);
    END IF;

    DELETE FROM shegu.workday_override AS o
    WHERE NOT o.shipped AND o.day >= make_date(year, 1, 1) AND o.day < make_date(year + 1, 1, 1);
    GET DIAGNOSTICS removed = ROW_COUNT;

    INSERT INTO shegu.workday_override AS o (day, is_workday, name)
    SELECT p.day, p.is_workday, p.name FROM unnest(parsed_days, parsed_work, parsed_name) AS p(day, is_workday, name)
    ON CONFLICT ON CONSTRAINT workday_override_pkey DO UPDATE
        SET is_workday = excluded.is_workday, name = excluded.name
        WHERE NOT o.shipped;

    RETURN QUERY SELECT count(*) FILTER (WHERE NOT w)::int, count(*) FILTER (WHERE w)::int, removed
                 FROM unnest(parsed_work) AS u(w);
END;
$fn$;
COMMENT ON FUNCTION shegu.load_holiday_notice(int, text) IS
    'loads the State Council''s holiday notice for a year (see shegu.parse_holiday_notice) into shegu.workday_override, all or nothing: the year''s rows that are not shipped are replaced; shipped rows stay and a notice contradicting one is refused; days of a neighbouring year the notice names explicitly (2018年12月29日) replace only that day''s row; returns the notice''s holiday and make-up day counts and the number of rows it removed';

-- ---------------------------------------------------------------------------------------------
-- lookup: grid_staff_check pins its search path (a restore runs with an empty one, and then the
-- gridcode = operator was not found: staff rows were lost).
ALTER FUNCTION shegu.grid_staff_check() SET search_path = shegu, pg_catalog, pg_temp;

-- ---------------------------------------------------------------------------------------------
-- restore: the new room, as in src/restore.sql.
CREATE FUNCTION shegu.shipped_row_guard() RETURNS trigger
    AS 'MODULE_PATHNAME', 'restore_shipped_row_guard' LANGUAGE C;
COMMENT ON FUNCTION shegu.shipped_row_guard() IS
    'trigger of the tables with shipped rows: an edited shipped row becomes the user''s (shipped = false) so that pg_dump keeps it; a restored row with the key of a shipped row is written over it; deleting or re-keying a shipped row, and marking a row shipped, are refused (SGR01) outside CREATE/ALTER EXTENSION';

CREATE TRIGGER shipped_row_guard BEFORE INSERT OR UPDATE OR DELETE ON shegu.workday_override
    FOR EACH ROW EXECUTE FUNCTION shegu.shipped_row_guard();
CREATE TRIGGER shipped_row_guard BEFORE INSERT OR UPDATE OR DELETE ON shegu.work_schedule
    FOR EACH ROW EXECUTE FUNCTION shegu.shipped_row_guard();
CREATE TRIGGER shipped_row_guard BEFORE INSERT OR UPDATE OR DELETE ON shegu.incident_category
    FOR EACH ROW EXECUTE FUNCTION shegu.shipped_row_guard();
CREATE TRIGGER shipped_row_guard BEFORE INSERT OR UPDATE OR DELETE ON shegu.index_model
    FOR EACH ROW EXECUTE FUNCTION shegu.shipped_row_guard();
CREATE TRIGGER shipped_row_guard BEFORE INSERT OR UPDATE OR DELETE ON shegu.index_node
    FOR EACH ROW EXECUTE FUNCTION shegu.shipped_row_guard();
CREATE TRIGGER shipped_row_guard BEFORE INSERT OR UPDATE OR DELETE ON shegu.index_grade
    FOR EACH ROW EXECUTE FUNCTION shegu.shipped_row_guard();
COMMENT ON TRIGGER shipped_row_guard ON shegu.workday_override IS 'keeps users'' edits of shipped days through dump and restore';
COMMENT ON TRIGGER shipped_row_guard ON shegu.work_schedule IS 'keeps users'' edits of shipped schedules through dump and restore';
COMMENT ON TRIGGER shipped_row_guard ON shegu.incident_category IS 'keeps users'' edits of shipped categories through dump and restore';
COMMENT ON TRIGGER shipped_row_guard ON shegu.index_model IS 'keeps users'' edits of shipped models through dump and restore';
COMMENT ON TRIGGER shipped_row_guard ON shegu.index_node IS 'keeps users'' edits of shipped nodes through dump and restore';
COMMENT ON TRIGGER shipped_row_guard ON shegu.index_grade IS 'keeps users'' edits of shipped grades through dump and restore';
