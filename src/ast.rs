//! The syntax tree of a Prisma schema, as written: nothing resolved, every node spanned.

use crate::diagnostics::Span;

#[derive(Debug, Clone, PartialEq)]
pub struct Identifier {
    pub name: String,
    pub span: Span,
}

/// One parsed file.
#[derive(Debug, Clone, Default)]
pub struct SchemaAst {
    pub tops: Vec<Top>,
}

#[derive(Debug, Clone)]
pub enum Top {
    /// `model`, `view` and `type` blocks share a shape.
    Model(ModelBlock),
    Enum(EnumBlock),
    Config(ConfigBlock),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ModelKeyword {
    Model,
    View,
    Type,
}

#[derive(Debug, Clone)]
pub struct ModelBlock {
    pub keyword: ModelKeyword,
    pub name: Identifier,
    pub fields: Vec<FieldDecl>,
    pub attributes: Vec<Attribute>,
    pub documentation: Option<String>,
    /// Whether some line of the block failed to parse (its checks would mislead then).
    pub has_invalid_lines: bool,
    pub span: Span,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Arity {
    Required,
    Optional,
    List,
}

#[derive(Debug, Clone, PartialEq)]
pub enum TypeName {
    Named(String),
    /// `Unsupported("circle")`
    Unsupported(String),
}

#[derive(Debug, Clone)]
pub struct FieldType {
    pub name: TypeName,
    pub arity: Arity,
    pub span: Span,
}

#[derive(Debug, Clone)]
pub struct FieldDecl {
    pub name: Identifier,
    pub field_type: FieldType,
    pub attributes: Vec<Attribute>,
    pub documentation: Option<String>,
    /// A `//` comment at the end of the line (directives such as `// prisma-xc: ...` live here).
    pub trailing_comment: Option<Comment>,
    pub span: Span,
}

#[derive(Debug, Clone)]
pub struct Comment {
    pub text: String,
    pub span: Span,
}

#[derive(Debug, Clone)]
pub struct EnumBlock {
    pub name: Identifier,
    pub values: Vec<EnumValueDecl>,
    pub attributes: Vec<Attribute>,
    pub documentation: Option<String>,
    pub span: Span,
}

#[derive(Debug, Clone)]
pub struct EnumValueDecl {
    pub name: Identifier,
    pub attributes: Vec<Attribute>,
    pub documentation: Option<String>,
    pub trailing_comment: Option<Comment>,
    pub span: Span,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConfigKeyword {
    Datasource,
    Generator,
}

#[derive(Debug, Clone)]
pub struct ConfigBlock {
    pub keyword: ConfigKeyword,
    pub name: Identifier,
    pub properties: Vec<Property>,
    pub span: Span,
}

#[derive(Debug, Clone)]
pub struct Property {
    pub name: Identifier,
    pub value: Expr,
    pub span: Span,
}

/// `@id`, `@db.VarChar(191)`, `@@index([a, b], type: Gin)`.
#[derive(Debug, Clone)]
pub struct Attribute {
    /// Without the `@`/`@@`: `id`, `db.VarChar`, `schema`.
    pub name: Identifier,
    pub arguments: Vec<Argument>,
    pub trailing_comment: Option<Comment>,
    pub span: Span,
}

#[derive(Debug, Clone)]
pub struct Argument {
    pub name: Option<Identifier>,
    /// `None` for `name:` with nothing after the colon.
    pub value: Option<Expr>,
    pub span: Span,
}

#[derive(Debug, Clone)]
pub enum Expr {
    Number(String, Span),
    /// Unescaped value.
    String(String, Span),
    /// A bare name: `Cascade`, `true`, `Desc`, `db.VarChar`.
    Constant(String, Span),
    Function(Function),
    Array(Vec<Expr>, Span),
}

#[derive(Debug, Clone)]
pub struct Function {
    pub name: String,
    pub arguments: Vec<Argument>,
    pub span: Span,
}

impl Expr {
    pub fn span(&self) -> Span {
        match self {
            Expr::Number(_, s) | Expr::String(_, s) | Expr::Constant(_, s) | Expr::Array(_, s) => {
                *s
            }
            Expr::Function(f) => f.span,
        }
    }

    pub fn as_str(&self) -> Option<&str> {
        match self {
            Expr::String(s, _) => Some(s),
            _ => None,
        }
    }

    pub fn as_constant(&self) -> Option<&str> {
        match self {
            Expr::Constant(s, _) => Some(s),
            _ => None,
        }
    }

    /// What kind of value this is, for "expected X, found Y" messages.
    pub fn describe(&self) -> &'static str {
        match self {
            Expr::Number(..) => "a number",
            Expr::String(..) => "a string",
            Expr::Constant(..) => "a constant",
            Expr::Function(..) => "a function call",
            Expr::Array(..) => "a list",
        }
    }
}

impl Attribute {
    /// The argument with this name, or else the first unnamed one when `positional` allows it.
    pub fn argument(&self, name: &str, positional: bool) -> Option<&Argument> {
        self.arguments
            .iter()
            .find(|a| a.name.as_ref().is_some_and(|n| n.name == name))
            .or_else(|| {
                positional
                    .then(|| self.arguments.iter().find(|a| a.name.is_none()))
                    .flatten()
            })
    }
}
