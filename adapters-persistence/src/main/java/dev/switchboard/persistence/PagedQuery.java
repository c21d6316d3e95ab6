package dev.switchboard.persistence;

import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import org.jdbi.v3.core.mapper.RowMapper;
import org.jdbi.v3.core.statement.Query;

/**
 * One round trip for a page and its total: the count (an index-only scan in the usual case) joined to the page
 * (read in index order, stopping after offset + limit rows). The left join keeps the single count row when the
 * page is empty, so a page past the end still reports the right total; the outer ORDER BY restates the page order,
 * which a join does not promise to keep. The query binds {@code :limit} and {@code :offset}.
 */
final class PagedQuery {
    /** The rows of one page and the number of rows matching the condition. */
    record Page<T>(List<T> rows, long total) {
    }

    private PagedQuery() {
    }

    /** The SQL of a page of {@code columns} from {@code table} where {@code condition}, ordered by {@code order}. */
    static String sql(String columns, String table, String condition, List<String> order) {
        String page = "SELECT " + columns + " FROM " + table + " WHERE " + condition
                + " ORDER BY " + String.join(", ", order) + " LIMIT :limit OFFSET :offset";
        return "SELECT t.total, p.* FROM (SELECT count(*) AS total FROM " + table + " WHERE " + condition + ") t "
                + "LEFT JOIN (" + page + ") p ON true ORDER BY "
                + order.stream().map(term -> "p." + term).collect(Collectors.joining(", "));
    }

    /** Runs {@code query} (built from {@link #sql}) with the page bounds and maps each row with {@code mapper}. */
    static <T> Page<T> read(Query query, int limit, int offset, RowMapper<T> mapper) {
        return query.bind("limit", limit)
                .bind("offset", offset)
                .scanResultSet((results, ctx) -> {
                    ResultSet rs = results.get();
                    long total = 0;
                    List<T> rows = new ArrayList<>(limit);
                    while (rs.next()) {
                        total = rs.getLong("total");
                        if (rs.getObject("id") != null) {
                            rows.add(mapper.map(rs, ctx));
                        }
                    }
                    return new Page<>(rows, total);
                });
    }
}
