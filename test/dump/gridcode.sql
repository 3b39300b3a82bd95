-- pg_dump fixture of the gridcode room: names of divisions (shegu.division), whose parent and
-- level are generated columns. test/dump/gridcode.sql
SELECT * FROM shegu.load_divisions(E'code,name,parent\n440000000000,广东省,0\n441900000000,东莞市,440000000000\n441900003000,东城街道,441900000000\n441900003001,岗贝社区居民委员会,441900003000\n810000000000,香港特别行政区,\n810001000000,中西区,810000000000');
