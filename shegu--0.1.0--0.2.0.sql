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
