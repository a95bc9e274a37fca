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

impl Top {
    pub fn span(&self) -> Span {
        match self {
            Top::Model(m) => m.span,
            Top::Enum(e) => e.span,
            Top::Config(c) => c.span,
        }
    }
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

/// Every span of a tree, mutably: a parsed block of text can then stand for the same text at
/// another place (see `parse::parse_files`, which parses text two schemas share only once).
pub trait Spans {
    fn spans_mut(&mut self, f: &mut dyn FnMut(&mut Span));
}

impl<T: Spans> Spans for Vec<T> {
    fn spans_mut(&mut self, f: &mut dyn FnMut(&mut Span)) {
        for item in self {
            item.spans_mut(f);
        }
    }
}

impl<T: Spans> Spans for Option<T> {
    fn spans_mut(&mut self, f: &mut dyn FnMut(&mut Span)) {
        if let Some(item) = self {
            item.spans_mut(f);
        }
    }
}

impl Spans for Span {
    fn spans_mut(&mut self, f: &mut dyn FnMut(&mut Span)) {
        f(self);
    }
}

impl Spans for SchemaAst {
    fn spans_mut(&mut self, f: &mut dyn FnMut(&mut Span)) {
        self.tops.spans_mut(f);
    }
}

impl Spans for Top {
    fn spans_mut(&mut self, f: &mut dyn FnMut(&mut Span)) {
        match self {
            Top::Model(m) => m.spans_mut(f),
            Top::Enum(e) => e.spans_mut(f),
            Top::Config(c) => c.spans_mut(f),
        }
    }
}

impl Spans for Identifier {
    fn spans_mut(&mut self, f: &mut dyn FnMut(&mut Span)) {
        f(&mut self.span);
    }
}

impl Spans for ModelBlock {
    fn spans_mut(&mut self, f: &mut dyn FnMut(&mut Span)) {
        let ModelBlock {
            keyword: _,
            name,
            fields,
            attributes,
            documentation: _,
            has_invalid_lines: _,
            span,
        } = self;
        name.spans_mut(f);
        fields.spans_mut(f);
        attributes.spans_mut(f);
        f(span);
    }
}

impl Spans for FieldDecl {
    fn spans_mut(&mut self, f: &mut dyn FnMut(&mut Span)) {
        let FieldDecl {
            name,
            field_type,
            attributes,
            documentation: _,
            trailing_comment,
            span,
        } = self;
        name.spans_mut(f);
        f(&mut field_type.span);
        attributes.spans_mut(f);
        trailing_comment.spans_mut(f);
        f(span);
    }
}

impl Spans for Comment {
    fn spans_mut(&mut self, f: &mut dyn FnMut(&mut Span)) {
        f(&mut self.span);
    }
}

impl Spans for EnumBlock {
    fn spans_mut(&mut self, f: &mut dyn FnMut(&mut Span)) {
        let EnumBlock {
            name,
            values,
            attributes,
            documentation: _,
            span,
        } = self;
        name.spans_mut(f);
        values.spans_mut(f);
        attributes.spans_mut(f);
        f(span);
    }
}

impl Spans for EnumValueDecl {
    fn spans_mut(&mut self, f: &mut dyn FnMut(&mut Span)) {
        let EnumValueDecl {
            name,
            attributes,
            documentation: _,
            trailing_comment,
            span,
        } = self;
        name.spans_mut(f);
        attributes.spans_mut(f);
        trailing_comment.spans_mut(f);
        f(span);
    }
}

impl Spans for ConfigBlock {
    fn spans_mut(&mut self, f: &mut dyn FnMut(&mut Span)) {
        let ConfigBlock {
            keyword: _,
            name,
            properties,
            span,
        } = self;
        name.spans_mut(f);
        properties.spans_mut(f);
        f(span);
    }
}

impl Spans for Property {
    fn spans_mut(&mut self, f: &mut dyn FnMut(&mut Span)) {
        let Property { name, value, span } = self;
        name.spans_mut(f);
        value.spans_mut(f);
        f(span);
    }
}

impl Spans for Attribute {
    fn spans_mut(&mut self, f: &mut dyn FnMut(&mut Span)) {
        let Attribute {
            name,
            arguments,
            trailing_comment,
            span,
        } = self;
        name.spans_mut(f);
        arguments.spans_mut(f);
        trailing_comment.spans_mut(f);
        f(span);
    }
}

impl Spans for Argument {
    fn spans_mut(&mut self, f: &mut dyn FnMut(&mut Span)) {
        let Argument { name, value, span } = self;
        name.spans_mut(f);
        value.spans_mut(f);
        f(span);
    }
}

impl Spans for Expr {
    fn spans_mut(&mut self, f: &mut dyn FnMut(&mut Span)) {
        match self {
            Expr::Number(_, span) | Expr::String(_, span) | Expr::Constant(_, span) => f(span),
            Expr::Array(items, span) => {
                items.spans_mut(f);
                f(span);
            }
            Expr::Function(Function {
                name: _,
                arguments,
                span,
            }) => {
                arguments.spans_mut(f);
                f(span);
            }
        }
    }
}
