"""The grammar of a derivation's math, as students write it, and its parser (lark).

One piece of math (a `$...$`, a display, one row of an `align`) is a sequence of
*parts* separated by `\\quad`, `\\implies`, prose (`\\text{...}`) or commas; a part is a
chain of equalities, a set membership (`z_2 \\in \\mathbb{R}^d`) or prose. Expressions
are sums of products, a product being operators (`\\circ`, `\\cdot`, `/`, ...) or bare
juxtaposition, which the grammar leaves as such: whether `a b` is a matrix product,
a scalar product or a function applied to its argument is decided later, with the
model's shapes (translate.py). The grammar only says what the document *wrote*.

Lark is imported here only: this module is loaded when --derivation is given.
"""

from functools import cache

GRAMMAR = r"""
start: _gap? (part (_gap part)*)? _gap?
_gap: (_sep | prose)+
_sep: QUAD | IMPLIES | COMMA
prose: TEXT | LP TEXT RP
?part: chain
     | expr IN space                -> member
     | NOISE "{" expr IN space "}"  -> member
chain: expr (REL expr)*
space: REALS ("^" arg)?

?expr: sum
?sum: signed | sum ADDOP product  -> binop
?signed: product | ADDOP product -> unary
?product: plain | bigsum | plain bigsum -> juxt
?plain: factor
      | plain MULOP factor       -> binop
      | plain factor             -> juxt
bigsum: SUM script* product
?factor: primary script*         -> scripted
?primary: NAME                   -> name
        | NUMBER                 -> number
        | GREEK                  -> greek
        | FUNC                   -> func
        | DOTS                   -> dots
        | LP chain RP            -> paren
        | FRAC arg arg           -> frac
        | DECO arg               -> deco
        | FONT arg               -> font
        | NOISE arg              -> noise
        | PARTIAL factor         -> partial
        | NABLA                  -> nabla
        | TOP                    -> top
        | "{" chain "}"          -> brace
        | BEGIN_CASES case_row (ROWSEP case_row)* ROWSEP? END_CASES -> cases
case_row: expr AMP cond
cond: TEXT+ (expr REL expr)? TEXT* | expr REL expr TEXT*
?script: "_" arg                -> sub
       | "^" arg                -> sup
       | PRIME                  -> prime
?arg: "{" chain? "}"            -> group
    | NAME_ONE                  -> name
    | DIGIT                     -> number
    | GREEK                     -> greek
    | TOP                       -> top
    | FUNC                      -> func
    | PRIME                     -> prime

QUAD: /\\q?quad(?![A-Za-z])/
IMPLIES: /\\(implies|Rightarrow|Longrightarrow|therefore|iff)(?![A-Za-z])/
COMMA: ","
TEXT: /\\(text|textrm|mbox|textit|textbf)\s*\{[^{}]*\}/
IN: /\\in(?![A-Za-z])/
REALS: /\\mathbb\s*\{?\s*R\s*\}?/
REL: "=" | /\\(neq|ne|approx|equiv|coloneqq)(?![A-Za-z])/ | ":="
ADDOP: "+" | "-" | /\\pm(?![A-Za-z])/
MULOP: /\\(circ|odot|cdot|times|otimes|div)(?![A-Za-z])/ | "/" | "*"
SUM: /\\(sum|prod)(?![A-Za-z])/
NAME: /[A-Za-z][0-9]*/
NAME_ONE: /[A-Za-z]/
DIGIT: /[0-9]/
NUMBER: /[0-9]+(\.[0-9]+)?/
GREEK: /\\(alpha|beta|gamma|delta|epsilon|varepsilon|zeta|eta|theta|kappa|lambda|mu)(?![A-Za-z])/
     | /\\(nu|xi|pi|rho|sigma|tau|phi|varphi|chi|psi|omega|ell)(?![A-Za-z])/
     | /\\(Delta|Sigma|Phi|Psi|Theta|Lambda|Omega|Gamma)(?![A-Za-z])/
FUNC: /\\(exp|log|ln|tanh|sinh|cosh|sin|cos|max|min|det|tr|diag)(?![A-Za-z])/
DOTS: /\\(dots|ldots|cdots|vdots|ddots)(?![A-Za-z])/
LP: /(\\(left|bigl|Bigl|biggl|Biggl|big|Big|bigg|Bigg)\s*)?(\(|\[|\\\{|\\lbrack)/
RP: /(\\(right|bigr|Bigr|biggr|Biggr|big|Big|bigg|Bigg)\s*)?(\)|\]|\\\}|\\rbrack)/
FRAC: /\\(frac|dfrac|tfrac)(?![A-Za-z])/
DECO: /\\(bar|overline|hat|tilde|widetilde|widehat|vec|dot)(?![A-Za-z])/
FONT: /\\(mathbf|mathcal|boldsymbol|bm|mathrm|mathit|operatorname|mathsf|pmb)(?![A-Za-z])/
NOISE: /\\(underline|underbrace|overbrace|boxed|color\{[a-z]+\})(?![A-Za-z])/
PARTIAL: /\\partial(?![A-Za-z])/
NABLA: /\\nabla(?![A-Za-z])/
TOP: /\\(top|intercal|mathsf\{T\}|mathrm\{T\}|prime)(?![A-Za-z])/
PRIME: "'"
BEGIN_CASES: /\\begin\{cases\}/
END_CASES: /\\end\{cases\}/
ROWSEP: "\\\\"
AMP: "&"
SPACE: /\\[,;:! ]|~|\\(displaystyle|limits|nolimits|nonumber|notag)(?![A-Za-z])/
LABEL: /\\(label|tag)\*?\{[^{}]*\}/
%ignore SPACE
%ignore LABEL
%ignore /\s+/
"""


@cache
def parser():
    """The Earley parser (built once): Earley, because juxtaposition and students'
    scripts (`\\bar{z}_2_{d \\times 1}`) make the language ambiguous where LALR would
    refuse the grammar; ambiguity is resolved by rule order, then checked in tests."""
    from lark import Lark

    return Lark(
        GRAMMAR, parser="earley", lexer="dynamic", ambiguity="resolve", propagate_positions=True
    )


def parse(math: str):
    """The lark tree of one piece of math; raises ValueError with a short reason."""
    from lark.exceptions import LarkError, UnexpectedCharacters, UnexpectedEOF, UnexpectedInput

    try:
        return parser().parse(math)
    except UnexpectedCharacters as e:
        raise ValueError(
            f"cannot read '{_near(math, e.column - 1)}' at column {e.column}"
        ) from None
    except UnexpectedEOF:
        raise ValueError("the math ends too early (a brace or parenthesis is not closed)") from None
    except UnexpectedInput as e:
        col = getattr(e, "column", 0) or 0
        raise ValueError(f"cannot read '{_near(math, col - 1)}' at column {col}") from None
    except LarkError as e:
        raise ValueError(str(e).splitlines()[0]) from None


def _near(text: str, i: int) -> str:
    i = max(0, i)
    return text[i : i + 12].split("\n")[0] or text[max(0, i - 12) :]
