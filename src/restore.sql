-- Dump and restore (备份与恢复): the guard of shipped rows.  A row shegu ships (shipped = true)
-- is left out by pg_dump and put back by CREATE EXTENSION; a user's edit of it makes it the
-- user's (shipped = false), so pg_dump keeps it and the restore writes it over the shipped row.
-- src/restore.sql — declares what src/restore.c implements; docs/restore.md.

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
CREATE TRIGGER shipped_row_guard BEFORE INSERT OR UPDATE OR DELETE ON shegu.workflow_limit
    FOR EACH ROW EXECUTE FUNCTION shegu.shipped_row_guard();
COMMENT ON TRIGGER shipped_row_guard ON shegu.workflow_limit IS 'keeps users'' edits of shipped stage limits through dump and restore';
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
CREATE TRIGGER shipped_row_guard BEFORE INSERT OR UPDATE OR DELETE ON shegu.attention_category
    FOR EACH ROW EXECUTE FUNCTION shegu.shipped_row_guard();
CREATE TRIGGER shipped_row_guard BEFORE INSERT OR UPDATE OR DELETE ON shegu.attention_grade
    FOR EACH ROW EXECUTE FUNCTION shegu.shipped_row_guard();
CREATE TRIGGER shipped_row_guard BEFORE INSERT OR UPDATE OR DELETE ON shegu.workload_rule
    FOR EACH ROW EXECUTE FUNCTION shegu.shipped_row_guard();
COMMENT ON TRIGGER shipped_row_guard ON shegu.attention_category IS 'keeps users'' edits of shipped categories of attention through dump and restore';
COMMENT ON TRIGGER shipped_row_guard ON shegu.attention_grade IS 'keeps users'' edits of shipped control grades through dump and restore';
COMMENT ON TRIGGER shipped_row_guard ON shegu.workload_rule IS 'keeps users'' edits of the shipped workload rule through dump and restore';
