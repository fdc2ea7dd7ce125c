import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Properties;

/**
 * The SQL endpoint's JDBC probe (jdbc.int-spec.ts): connects with the official ClickHouse JDBC
 * driver as a BI tool would (user = organisation, password = API token), runs each query given
 * after the connection arguments and prints its rows as tab-separated lines, one header line of
 * column labels first, a line "--" after each result. A query starting with "!" is expected to
 * fail: its result is one line "error", a tab and the driver's message.
 */
public final class BiJdbc {
  public static void main(String[] args) throws Exception {
    Properties properties = new Properties();
    properties.setProperty("user", args[1]);
    properties.setProperty("password", args[2]);
    // The driver itself rather than DriverManager, which answers "No suitable driver" for this jar on a plain class path.
    try (Connection connection = new com.clickhouse.jdbc.Driver().connect(args[0], properties)) {
      for (int i = 3; i < args.length; i++) {
        if (args[i].startsWith("!")) {
          try (Statement statement = connection.createStatement(); ResultSet rows = statement.executeQuery(args[i].substring(1))) {
            System.out.println("no error");
          } catch (SQLException expected) {
            System.out.println("error\t" + expected.getMessage().replaceAll("\\s+", " "));
          }
          System.out.println("--");
          continue;
        }
        try (Statement statement = connection.createStatement(); ResultSet rows = statement.executeQuery(args[i])) {
          ResultSetMetaData meta = rows.getMetaData();
          StringBuilder header = new StringBuilder();
          for (int c = 1; c <= meta.getColumnCount(); c++) header.append(c > 1 ? "\t" : "").append(meta.getColumnLabel(c));
          System.out.println(header);
          while (rows.next()) {
            StringBuilder line = new StringBuilder();
            for (int c = 1; c <= meta.getColumnCount(); c++) line.append(c > 1 ? "\t" : "").append(rows.getString(c));
            System.out.println(line);
          }
          System.out.println("--");
        }
      }
    }
  }
}
