/// How ASP.NET Web API picks the answer's format from `Accept` (seed 002 lists JSON and XML).
///
/// Entries are ranked by `q` (stable, so ties keep the order the client listed them); the first
/// one naming JSON or XML decides. Wildcards (`*/*`, `application/*`) and a missing header fall
/// back to JSON, the first formatter in Web API's default list.
enum WebAPINegotiation {
    static func format(accept values: [String]) -> ReplyStyle.Format {
        var ranked: [(media: String, q: Double)] = []
        for value in values {
            for item in value.split(separator: ",") {
                let parts = item.split(separator: ";")
                guard let media = parts.first?.trimmingWhitespace().lowercased(), !media.isEmpty else { continue }
                let q = parts.dropFirst().lazy.compactMap(quality).first ?? 1
                if q > 0 { ranked.append((media, q)) }
            }
        }
        // `sorted` is not guaranteed stable: sort by (q, listed position) to keep the client's order on ties.
        let ordered = ranked.enumerated().sorted { a, b in
            a.element.q != b.element.q ? a.element.q > b.element.q : a.offset < b.offset
        }
        for (_, entry) in ordered {
            switch entry.media {
            case "application/json", "text/json": return .json
            case "application/xml", "text/xml": return .xml
            default: continue
            }
        }
        return .json
    }

    /// The value of a `q=` parameter; anything unparsable counts as absent (1).
    private static func quality(_ parameter: Substring) -> Double? {
        let pair = parameter.split(separator: "=", maxSplits: 1)
        guard pair.count == 2, pair[0].trimmingWhitespace().lowercased() == "q" else { return nil }
        return Double(String(pair[1].trimmingWhitespace()))
    }
}
