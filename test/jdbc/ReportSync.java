// What a BI tool's sync does through pgJDBC (Metabase: DatabaseMetaData, then sample queries,
// then parameterised filters), on every report view, as a role holding only the BI grants.
// test/jdbc/ReportSync.java — compiled and run by test/jdbc/run.sh; prints TAP lines and
// "N passed, N failed".
import java.sql.*;
import java.util.*;

public class ReportSync {
    static int passed = 0, failed = 0, n = 0;

    static void check(boolean ok, String what) {
        n++;
        if (ok) { passed++; System.out.println("ok " + n + " - " + what); }
        else { failed++; System.out.println("not ok " + n + " - " + what); }
    }

    public static void main(String[] args) throws Exception {
        String socket = args[0], port = args[1], db = args[2], user = args[3];
        String url = "jdbc:postgresql://localhost:" + port + "/" + db
            + "?socketFactory=org.newsclub.net.unix.AFUNIXSocketFactory$FactoryArg"
            + "&socketFactoryArg=" + socket + "/.s.PGSQL." + port;
        Properties p = new Properties();
        p.setProperty("user", user);
        List<String> aggregate = List.of("report_category", "report_incident_month", "report_index", "report_open_incident",
                                         "report_index_dimension", "report_unit");
        Set<Integer> plain = Set.of(Types.VARCHAR, Types.INTEGER, Types.BIGINT, Types.NUMERIC, Types.DATE,
                                    Types.TIMESTAMP, Types.BOOLEAN, Types.BIT, Types.DOUBLE);
        // (pgJDBC reports PostgreSQL's boolean as Types.BIT; BI tools read it as a boolean)
        try (Connection c = DriverManager.getConnection(url, p)) {
            check(true, "pgJDBC connects over the Unix socket as " + user);
            DatabaseMetaData md = c.getMetaData();

            // 1. the tables a sync finds
            Set<String> views = new TreeSet<>();
            try (ResultSet rs = md.getTables(null, "shegu", "report\\_%", new String[] {"VIEW", "TABLE"})) {
                while (rs.next()) views.add(rs.getString("TABLE_NAME"));
            }
            check(views.containsAll(aggregate) && views.contains("report_incident"),
                  "getTables finds the report views " + views);

            // 2. every column of every report view has a plain JDBC type
            for (String v : views) {
                if (!v.equals("report_incident") && !aggregate.contains(v)) continue;
                List<String> bad = new ArrayList<>();
                int cols = 0;
                try (ResultSet rs = md.getColumns(null, "shegu", v, "%")) {
                    while (rs.next()) {
                        cols++;
                        if (!plain.contains(rs.getInt("DATA_TYPE")))
                            bad.add(rs.getString("COLUMN_NAME") + ":" + rs.getString("TYPE_NAME"));
                    }
                }
                check(cols > 0 && bad.isEmpty(), "getColumns " + v + ": " + cols + " columns, all plain JDBC types" + (bad.isEmpty() ? "" : " (not: " + bad + ")"));
            }

            // 3. sample rows of each aggregate view; no driver-specific objects (PGInterval, PGobject)
            for (String v : aggregate) {
                int rows = 0;
                List<String> odd = new ArrayList<>();
                try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT * FROM shegu." + v + " LIMIT 100")) {
                    ResultSetMetaData m = rs.getMetaData();
                    while (rs.next()) {
                        rows++;
                        for (int i = 1; i <= m.getColumnCount(); i++) {
                            Object o = rs.getObject(i);
                            if (o != null && o.getClass().getName().startsWith("org.postgresql"))
                                odd.add(m.getColumnName(i) + ":" + o.getClass().getSimpleName());
                        }
                    }
                    check(rows > 0 && odd.isEmpty(), "SELECT * FROM shegu." + v + " LIMIT 100 as the BI role: " + rows + " rows, plain Java values" + (odd.isEmpty() ? "" : " (not: " + odd + ")"));
                } catch (SQLException e) {
                    check(false, "SELECT * FROM shegu." + v + " as the BI role: " + e.getSQLState() + " " + e.getMessage());
                }
            }

            // 4. the detail view keeps to the caller's rights
            try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT * FROM shegu.report_incident LIMIT 1")) {
                check(false, "report_incident refuses a role without SELECT on shegu.incident");
            } catch (SQLException e) {
                check("42501".equals(e.getSQLState()), "report_incident refuses a role without SELECT on shegu.incident (" + e.getSQLState() + ")");
            }

            // 5. filters with String parameters, as a BI tool binds them (varchar)
            String[][] filters = {
                {"report_unit", "unit_code", "330106001001", "1"},
                {"report_unit", "parent_code", "330106001", "2"},
                {"report_incident_month", "unit_code", "330106", null},
                {"report_index", "unit_code", "330106001001", "1"},
                {"report_category", "category_code", "hazard.gas", "1"},
            };
            for (String[] f : filters) {
                try (PreparedStatement ps = c.prepareStatement("SELECT count(*) FROM shegu." + f[0] + " WHERE " + f[1] + " = ?")) {
                    ps.setString(1, f[2]);
                    try (ResultSet rs = ps.executeQuery()) {
                        rs.next();
                        long k = rs.getLong(1);
                        check(f[3] == null ? k > 0 : k == Long.parseLong(f[3]),
                              f[0] + " WHERE " + f[1] + " = ? with setString(\"" + f[2] + "\"): " + k + " rows");
                    }
                } catch (SQLException e) {
                    check(false, f[0] + " WHERE " + f[1] + " = ? with setString: " + e.getSQLState() + " " + e.getMessage());
                }
            }
            try (PreparedStatement ps = c.prepareStatement(
                     "SELECT sum(received) FROM shegu.report_incident_month WHERE level = ? AND period_start = ?")) {
                long[] sums = new long[6];
                for (int l = 1; l <= 6; l++) {
                    ps.setInt(1, l);
                    ps.setDate(2, java.sql.Date.valueOf("2025-03-01"));
                    try (ResultSet rs = ps.executeQuery()) { rs.next(); sums[l - 1] = rs.getLong(1); }
                }
                check(Arrays.stream(sums).distinct().count() == 1 && sums[0] > 0,
                      "every level of March 2025 adds up to the same total " + Arrays.toString(sums));
            }

            // 6. time zone: months are China's whatever the JVM's zone; dates come back as dates
            try (Statement st = c.createStatement();
                 ResultSet rs = st.executeQuery("SELECT current_setting('TimeZone'), min(period_start)::text, max(period_start)::text FROM shegu.report_incident_month WHERE unit_code = '330106'")) {
                rs.next();
                check("2025-03-01".equals(rs.getString(2)) && "2025-04-01".equals(rs.getString(3)),
                      "session time zone " + rs.getString(1) + ": months stay " + rs.getString(2) + " .. " + rs.getString(3) + " (Asia/Shanghai months)");
            }
            try (Statement st = c.createStatement();
                 ResultSet rs = st.executeQuery("SELECT period_start FROM shegu.report_incident_month WHERE unit_code = '330106' ORDER BY 1 LIMIT 1")) {
                rs.next();
                check("2025-03-01".equals(rs.getDate(1).toString()), "getDate(period_start) is 2025-03-01 in the JVM's zone " + TimeZone.getDefault().getID());
            }
        } catch (SQLException e) {
            check(false, "connection: " + e.getSQLState() + " " + e.getMessage());
        }
        System.out.println(passed + " passed, " + failed + " failed");
        System.exit(failed == 0 ? 0 : 1);
    }
}
