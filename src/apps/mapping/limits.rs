//! How far an expression may go. People type expressions into a form and
//! the server runs them on every event, so each one is bounded: its length,
//! the evaluation steps it may take, how deep it may nest, and the length of
//! what it makes. Three things are refused before compiling because no bound
//! on steps catches them: `{% set %}` and the other blocks that keep values
//! (a value doubled a few dozen times fills the memory), and `*`, which
//! repeats a string a hundred million times in one step.

/// The longest expression, in characters.
pub(super) const MAX_EXPRESSION: usize = 1_000;
/// The longest text an expression makes, and the longest body string it sees.
pub(super) const MAX_TEXT: usize = 10_000;
/// Evaluation steps per expression: a 40-field mapping needs a few hundred.
pub(super) const FUEL: u64 = 20_000;
/// Nesting of loops and conditions.
pub(super) const RECURSION: usize = 32;

/// The only blocks an expression may use.
const BLOCKS: [&str; 6] = ["if", "elif", "else", "endif", "for", "endfor"];

/// Why an expression was refused, and where (a byte offset).
#[derive(Debug, PartialEq, Eq)]
pub(super) struct Refusal {
    pub message: String,
    pub offset: Option<usize>,
}

/// Refuses an expression that is too long, uses a block other than `if` and
/// `for`, or multiplies. The scan follows minijinja's lexer: code runs from
/// `{{` or `{%` to the closing mark outside brackets and string literals.
pub(super) fn check(source: &str) -> Result<(), Refusal> {
    if source.chars().count() > MAX_EXPRESSION {
        return Err(Refusal {
            message: format!(
                "This is longer than {MAX_EXPRESSION} characters; a field needs far less."
            ),
            offset: None,
        });
    }
    let mut at = 0;
    while let Some(found) = source[at..].find('{') {
        let open = at + found;
        at = match source.as_bytes().get(open + 1) {
            Some(b'{') => code(source, open + 2, "}}")?,
            Some(b'%') => {
                block_name(source, open + 2)?;
                code(source, open + 2, "%}")?
            }
            Some(b'#') => source[open..]
                .find("#}")
                .map_or(source.len(), |end| open + end + 2),
            _ => open + 1,
        };
    }
    Ok(())
}

/// Refuses a block other than those in [`BLOCKS`].
fn block_name(source: &str, start: usize) -> Result<(), Refusal> {
    let rest = &source[start..];
    let skipped = rest.len() - rest.trim_start_matches(['-', '+']).trim_start().len();
    let name: String = rest[skipped..]
        .chars()
        .take_while(|c| c.is_alphanumeric() || *c == '_')
        .collect();
    if name.is_empty() || BLOCKS.contains(&name.as_str()) {
        return Ok(());
    }
    Err(Refusal {
        message: format!(
            "Only {{% if %}} and {{% for %}} blocks can be used here, not {{% {name} %}}."
        ),
        offset: Some(start + skipped),
    })
}

/// The end of the code that starts at `start`, or a refusal of a `*` in it.
fn code(source: &str, start: usize, close: &str) -> Result<usize, Refusal> {
    let mut depth = 0isize;
    let mut quote = None;
    let mut chars = source[start..].char_indices().map(|(i, c)| (start + i, c));
    while let Some((at, c)) = chars.next() {
        match (quote, c) {
            (Some(_), '\\') => {
                chars.next();
            }
            (Some(open), _) if c == open => quote = None,
            (Some(_), _) => {}
            (None, '\'' | '"') => quote = Some(c),
            (None, _) if depth == 0 && closes(&source[at..], close) => {
                return Ok(at + close.len());
            }
            (None, '*') => {
                return Err(Refusal {
                    message: "Multiplying with * is not available in mappings.".into(),
                    offset: Some(at),
                })
            }
            (None, '(' | '[' | '{') => depth += 1,
            (None, ')' | ']' | '}') => depth -= 1,
            (None, _) => {}
        }
    }
    Ok(source.len())
}

/// Whether `rest` starts with the closing mark, with or without `-` or `+`.
fn closes(rest: &str, close: &str) -> bool {
    rest.starts_with(close) || (rest.starts_with(['-', '+']) && rest[1..].starts_with(close))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn refused_at(source: &str) -> Option<usize> {
        check(source).err().and_then(|refusal| refusal.offset)
    }

    #[test]
    fn plain_expressions_and_text_pass() {
        for source in [
            "Gym member",
            "{{ data.member.email | lower }}",
            "{% if data.active %}member{% else %}lead{% endif %}",
            "{%- for tag in data.tags -%}{{ tag }},{%- endfor %}",
            "{# a note * with a star #}{{ data.x }}",
            "{{ '*' ~ \"it's * \\\" }}\" }} 5 * 3 in text",
            "{{ {'a': {'b': 1}} }}",
            "{{ data.x",
        ] {
            assert_eq!(check(source), Ok(()), "{source}");
        }
    }

    #[test]
    fn blocks_that_keep_values_are_refused() {
        assert_eq!(refused_at("{% set x = 1 %}"), Some(3));
        assert_eq!(refused_at("ab{%- macro m() %}{% endmacro %}"), Some(6));
        let refusal = check("{% include 'x' %}").unwrap_err();
        assert_eq!(
            refusal.message,
            "Only {% if %} and {% for %} blocks can be used here, not {% include %}."
        );
    }

    #[test]
    fn multiplying_is_refused_where_minijinja_reads_code() {
        assert_eq!(refused_at("{{ 'x' * 100000000 }}"), Some(7));
        assert_eq!(refused_at("{{ 2 ** 3 }}"), Some(5));
        assert_eq!(refused_at("{% if 'a' * 2 %}{% endif %}"), Some(10));
        // `}}` inside brackets does not end the code, as in minijinja.
        assert_eq!(refused_at("{{ {'a': {'b': 'x'}}.a.b * 9 }}"), Some(25));
    }

    #[test]
    fn long_expressions_are_refused() {
        let refusal = check(&"a".repeat(MAX_EXPRESSION + 1)).unwrap_err();
        assert_eq!(refusal.offset, None);
        assert!(check(&"é".repeat(MAX_EXPRESSION)).is_ok());
    }
}
