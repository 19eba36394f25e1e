import { createRequire as __dcCreateRequire } from 'node:module'; const require = __dcCreateRequire(import.meta.url);
import {
  ConfigError,
  LABEL_RUN,
  __commonJS,
  __esm,
  __export,
  __require,
  __toCommonJS,
  __toESM,
  chooseBuilder,
  containerName,
  dockerCommand,
  engineInfo,
  exec,
  holdTag,
  parseBoolean,
  parseChoice,
  parseDuration,
  parsePort,
  parseSizeAmount,
  parseUrlPath,
  redact,
  redactDeep,
  removeRunResources,
  require_ignore,
  runLabels
} from "./shared-local+main+post.js";

// node_modules/dockerfile-ast/lib/argument.js
var require_argument = __commonJS({
  "node_modules/dockerfile-ast/lib/argument.js"(exports) {
    "use strict";
    Object.defineProperty(exports, "__esModule", { value: true });
    exports.Argument = void 0;
    var Argument = class {
      constructor(value, range) {
        this.value = value;
        this.range = range;
      }
      toString() {
        return this.value;
      }
      getRange() {
        return this.range;
      }
      getValue() {
        return this.value;
      }
      isAfter(position) {
        if (this.range.end.line < position.line) {
          return false;
        }
        return this.range.start.line > position.line ? true : this.range.start.character > position.character;
      }
      isBefore(position) {
        if (this.range.start.line < position.line) {
          return true;
        }
        return this.range.end.line > position.line ? false : this.range.end.character < position.character;
      }
    };
    exports.Argument = Argument;
  }
});

// node_modules/dockerfile-ast/lib/jsonArgument.js
var require_jsonArgument = __commonJS({
  "node_modules/dockerfile-ast/lib/jsonArgument.js"(exports) {
    "use strict";
    Object.defineProperty(exports, "__esModule", { value: true });
    exports.JSONArgument = void 0;
    var argument_1 = require_argument();
    var JSONArgument = class extends argument_1.Argument {
      constructor(value, range, jsonRange) {
        super(value, range);
        this.jsonRange = jsonRange;
      }
      getJSONRange() {
        return this.jsonRange;
      }
      getJSONValue() {
        let value = super.getValue();
        value = value.substring(1, value.length - 1);
        return value;
      }
    };
    exports.JSONArgument = JSONArgument;
  }
});

// node_modules/vscode-languageserver-types/lib/esm/main.js
var main_exports = {};
__export(main_exports, {
  AnnotatedTextEdit: () => AnnotatedTextEdit,
  ApplyKind: () => ApplyKind,
  ChangeAnnotation: () => ChangeAnnotation,
  ChangeAnnotationIdentifier: () => ChangeAnnotationIdentifier,
  CodeAction: () => CodeAction,
  CodeActionContext: () => CodeActionContext,
  CodeActionKind: () => CodeActionKind,
  CodeActionTag: () => CodeActionTag,
  CodeActionTriggerKind: () => CodeActionTriggerKind,
  CodeDescription: () => CodeDescription,
  CodeLens: () => CodeLens,
  Color: () => Color,
  ColorInformation: () => ColorInformation,
  ColorPresentation: () => ColorPresentation,
  Command: () => Command,
  CompletionItem: () => CompletionItem,
  CompletionItemKind: () => CompletionItemKind,
  CompletionItemLabelDetails: () => CompletionItemLabelDetails,
  CompletionItemTag: () => CompletionItemTag,
  CompletionList: () => CompletionList,
  CreateFile: () => CreateFile,
  DeleteFile: () => DeleteFile,
  Diagnostic: () => Diagnostic,
  DiagnosticRelatedInformation: () => DiagnosticRelatedInformation,
  DiagnosticSeverity: () => DiagnosticSeverity,
  DiagnosticTag: () => DiagnosticTag,
  DocumentHighlight: () => DocumentHighlight,
  DocumentHighlightKind: () => DocumentHighlightKind,
  DocumentLink: () => DocumentLink,
  DocumentSymbol: () => DocumentSymbol,
  DocumentUri: () => DocumentUri,
  EOL: () => EOL,
  FoldingRange: () => FoldingRange,
  FoldingRangeKind: () => FoldingRangeKind,
  FormattingOptions: () => FormattingOptions,
  Hover: () => Hover,
  InlayHint: () => InlayHint,
  InlayHintKind: () => InlayHintKind,
  InlayHintLabelPart: () => InlayHintLabelPart,
  InlineCompletionContext: () => InlineCompletionContext,
  InlineCompletionItem: () => InlineCompletionItem,
  InlineCompletionList: () => InlineCompletionList,
  InlineCompletionTriggerKind: () => InlineCompletionTriggerKind,
  InlineValueContext: () => InlineValueContext,
  InlineValueEvaluatableExpression: () => InlineValueEvaluatableExpression,
  InlineValueText: () => InlineValueText,
  InlineValueVariableLookup: () => InlineValueVariableLookup,
  InsertReplaceEdit: () => InsertReplaceEdit,
  InsertTextFormat: () => InsertTextFormat,
  InsertTextMode: () => InsertTextMode,
  LanguageKind: () => LanguageKind,
  Location: () => Location,
  LocationLink: () => LocationLink,
  MarkedString: () => MarkedString,
  MarkupContent: () => MarkupContent,
  MarkupKind: () => MarkupKind,
  OptionalVersionedTextDocumentIdentifier: () => OptionalVersionedTextDocumentIdentifier,
  ParameterInformation: () => ParameterInformation,
  Position: () => Position,
  Range: () => Range,
  RenameFile: () => RenameFile,
  SelectedCompletionInfo: () => SelectedCompletionInfo,
  SelectionRange: () => SelectionRange,
  SemanticTokenModifiers: () => SemanticTokenModifiers,
  SemanticTokenTypes: () => SemanticTokenTypes,
  SemanticTokens: () => SemanticTokens,
  SignatureInformation: () => SignatureInformation,
  SnippetTextEdit: () => SnippetTextEdit,
  StringValue: () => StringValue,
  SymbolInformation: () => SymbolInformation,
  SymbolKind: () => SymbolKind,
  SymbolTag: () => SymbolTag,
  TextDocument: () => TextDocument,
  TextDocumentEdit: () => TextDocumentEdit,
  TextDocumentIdentifier: () => TextDocumentIdentifier,
  TextDocumentItem: () => TextDocumentItem,
  TextEdit: () => TextEdit,
  URI: () => URI,
  VersionedTextDocumentIdentifier: () => VersionedTextDocumentIdentifier,
  WorkspaceChange: () => WorkspaceChange,
  WorkspaceEdit: () => WorkspaceEdit,
  WorkspaceFolder: () => WorkspaceFolder,
  WorkspaceSymbol: () => WorkspaceSymbol,
  integer: () => integer,
  uinteger: () => uinteger
});
var DocumentUri, URI, integer, uinteger, Position, Range, Location, LocationLink, Color, ColorInformation, ColorPresentation, FoldingRangeKind, FoldingRange, DiagnosticRelatedInformation, DiagnosticSeverity, DiagnosticTag, CodeDescription, Diagnostic, Command, TextEdit, ChangeAnnotation, ChangeAnnotationIdentifier, AnnotatedTextEdit, TextDocumentEdit, CreateFile, RenameFile, DeleteFile, WorkspaceEdit, TextEditChangeImpl, SnippetTextEdit, ChangeAnnotations, WorkspaceChange, TextDocumentIdentifier, VersionedTextDocumentIdentifier, OptionalVersionedTextDocumentIdentifier, LanguageKind, TextDocumentItem, MarkupKind, MarkupContent, CompletionItemKind, InsertTextFormat, CompletionItemTag, InsertReplaceEdit, InsertTextMode, ApplyKind, CompletionItemLabelDetails, CompletionItem, CompletionList, MarkedString, Hover, ParameterInformation, SignatureInformation, DocumentHighlightKind, DocumentHighlight, SymbolKind, SymbolTag, SymbolInformation, WorkspaceSymbol, DocumentSymbol, CodeActionKind, CodeActionTriggerKind, CodeActionContext, CodeActionTag, CodeAction, CodeLens, FormattingOptions, DocumentLink, SelectionRange, SemanticTokenTypes, SemanticTokenModifiers, SemanticTokens, InlineValueText, InlineValueVariableLookup, InlineValueEvaluatableExpression, InlineValueContext, InlayHintKind, InlayHintLabelPart, InlayHint, StringValue, InlineCompletionItem, InlineCompletionList, InlineCompletionTriggerKind, SelectedCompletionInfo, InlineCompletionContext, WorkspaceFolder, EOL, TextDocument, FullTextDocument, Is;
var init_main = __esm({
  "node_modules/vscode-languageserver-types/lib/esm/main.js"() {
    "use strict";
    (function(DocumentUri2) {
      function is(value) {
        return typeof value === "string";
      }
      DocumentUri2.is = is;
    })(DocumentUri || (DocumentUri = {}));
    (function(URI2) {
      function is(value) {
        return typeof value === "string";
      }
      URI2.is = is;
    })(URI || (URI = {}));
    (function(integer2) {
      integer2.MIN_VALUE = -2147483648;
      integer2.MAX_VALUE = 2147483647;
      function is(value) {
        return typeof value === "number" && integer2.MIN_VALUE <= value && value <= integer2.MAX_VALUE;
      }
      integer2.is = is;
    })(integer || (integer = {}));
    (function(uinteger2) {
      uinteger2.MIN_VALUE = 0;
      uinteger2.MAX_VALUE = 2147483647;
      function is(value) {
        return typeof value === "number" && uinteger2.MIN_VALUE <= value && value <= uinteger2.MAX_VALUE;
      }
      uinteger2.is = is;
    })(uinteger || (uinteger = {}));
    (function(Position2) {
      function create(line, character) {
        if (line === Number.MAX_VALUE) {
          line = uinteger.MAX_VALUE;
        }
        if (character === Number.MAX_VALUE) {
          character = uinteger.MAX_VALUE;
        }
        return { line, character };
      }
      Position2.create = create;
      function is(value) {
        const candidate = value;
        return Is.objectLiteral(candidate) && Is.uinteger(candidate.line) && Is.uinteger(candidate.character);
      }
      Position2.is = is;
    })(Position || (Position = {}));
    (function(Range2) {
      function create(one, two, three, four) {
        if (Is.uinteger(one) && Is.uinteger(two) && Is.uinteger(three) && Is.uinteger(four)) {
          return { start: Position.create(one, two), end: Position.create(three, four) };
        } else if (Position.is(one) && Position.is(two)) {
          return { start: one, end: two };
        } else {
          throw new Error(`Range#create called with invalid arguments[${one}, ${two}, ${three}, ${four}]`);
        }
      }
      Range2.create = create;
      function is(value) {
        const candidate = value;
        return Is.objectLiteral(candidate) && Position.is(candidate.start) && Position.is(candidate.end);
      }
      Range2.is = is;
    })(Range || (Range = {}));
    (function(Location2) {
      function create(uri, range) {
        return { uri, range };
      }
      Location2.create = create;
      function is(value) {
        const candidate = value;
        return Is.objectLiteral(candidate) && Range.is(candidate.range) && (Is.string(candidate.uri) || Is.undefined(candidate.uri));
      }
      Location2.is = is;
    })(Location || (Location = {}));
    (function(LocationLink2) {
      function create(targetUri, targetRange, targetSelectionRange, originSelectionRange) {
        return { targetUri, targetRange, targetSelectionRange, originSelectionRange };
      }
      LocationLink2.create = create;
      function is(value) {
        const candidate = value;
        return Is.objectLiteral(candidate) && Range.is(candidate.targetRange) && Is.string(candidate.targetUri) && Range.is(candidate.targetSelectionRange) && (Range.is(candidate.originSelectionRange) || Is.undefined(candidate.originSelectionRange));
      }
      LocationLink2.is = is;
    })(LocationLink || (LocationLink = {}));
    (function(Color2) {
      function create(red, green, blue, alpha) {
        return {
          red,
          green,
          blue,
          alpha
        };
      }
      Color2.create = create;
      function is(value) {
        const candidate = value;
        return Is.objectLiteral(candidate) && Is.numberRange(candidate.red, 0, 1) && Is.numberRange(candidate.green, 0, 1) && Is.numberRange(candidate.blue, 0, 1) && Is.numberRange(candidate.alpha, 0, 1);
      }
      Color2.is = is;
    })(Color || (Color = {}));
    (function(ColorInformation2) {
      function create(range, color) {
        return {
          range,
          color
        };
      }
      ColorInformation2.create = create;
      function is(value) {
        const candidate = value;
        return Is.objectLiteral(candidate) && Range.is(candidate.range) && Color.is(candidate.color);
      }
      ColorInformation2.is = is;
    })(ColorInformation || (ColorInformation = {}));
    (function(ColorPresentation2) {
      function create(label, textEdit, additionalTextEdits) {
        return {
          label,
          textEdit,
          additionalTextEdits
        };
      }
      ColorPresentation2.create = create;
      function is(value) {
        const candidate = value;
        return Is.objectLiteral(candidate) && Is.string(candidate.label) && (Is.undefined(candidate.textEdit) || TextEdit.is(candidate.textEdit)) && (Is.undefined(candidate.additionalTextEdits) || Is.typedArray(candidate.additionalTextEdits, TextEdit.is));
      }
      ColorPresentation2.is = is;
    })(ColorPresentation || (ColorPresentation = {}));
    (function(FoldingRangeKind2) {
      FoldingRangeKind2.Comment = "comment";
      FoldingRangeKind2.Imports = "imports";
      FoldingRangeKind2.Region = "region";
    })(FoldingRangeKind || (FoldingRangeKind = {}));
    (function(FoldingRange2) {
      function create(startLine, endLine, startCharacter, endCharacter, kind, collapsedText) {
        const result = {
          startLine,
          endLine
        };
        if (Is.defined(startCharacter)) {
          result.startCharacter = startCharacter;
        }
        if (Is.defined(endCharacter)) {
          result.endCharacter = endCharacter;
        }
        if (Is.defined(kind)) {
          result.kind = kind;
        }
        if (Is.defined(collapsedText)) {
          result.collapsedText = collapsedText;
        }
        return result;
      }
      FoldingRange2.create = create;
      function is(value) {
        const candidate = value;
        return Is.objectLiteral(candidate) && Is.uinteger(candidate.startLine) && Is.uinteger(candidate.endLine) && (Is.undefined(candidate.startCharacter) || Is.uinteger(candidate.startCharacter)) && (Is.undefined(candidate.endCharacter) || Is.uinteger(candidate.endCharacter)) && (Is.undefined(candidate.kind) || Is.string(candidate.kind));
      }
      FoldingRange2.is = is;
    })(FoldingRange || (FoldingRange = {}));
    (function(DiagnosticRelatedInformation2) {
      function create(location, message) {
        return {
          location,
          message
        };
      }
      DiagnosticRelatedInformation2.create = create;
      function is(value) {
        const candidate = value;
        return Is.defined(candidate) && Location.is(candidate.location) && Is.string(candidate.message);
      }
      DiagnosticRelatedInformation2.is = is;
    })(DiagnosticRelatedInformation || (DiagnosticRelatedInformation = {}));
    (function(DiagnosticSeverity2) {
      DiagnosticSeverity2.Error = 1;
      DiagnosticSeverity2.Warning = 2;
      DiagnosticSeverity2.Information = 3;
      DiagnosticSeverity2.Hint = 4;
    })(DiagnosticSeverity || (DiagnosticSeverity = {}));
    (function(DiagnosticTag2) {
      DiagnosticTag2.Unnecessary = 1;
      DiagnosticTag2.Deprecated = 2;
    })(DiagnosticTag || (DiagnosticTag = {}));
    (function(CodeDescription2) {
      function is(value) {
        const candidate = value;
        return Is.objectLiteral(candidate) && Is.string(candidate.href);
      }
      CodeDescription2.is = is;
    })(CodeDescription || (CodeDescription = {}));
    (function(Diagnostic2) {
      function create(range, message, severity, code, source, relatedInformation) {
        const result = { range, message };
        if (Is.defined(severity)) {
          result.severity = severity;
        }
        if (Is.defined(code)) {
          result.code = code;
        }
        if (Is.defined(source)) {
          result.source = source;
        }
        if (Is.defined(relatedInformation)) {
          result.relatedInformation = relatedInformation;
        }
        return result;
      }
      Diagnostic2.create = create;
      function is(value) {
        var _a;
        const candidate = value;
        return Is.defined(candidate) && Range.is(candidate.range) && (Is.string(candidate.message) || MarkupContent.is(candidate.message)) && (Is.number(candidate.severity) || Is.undefined(candidate.severity)) && (Is.integer(candidate.code) || Is.string(candidate.code) || Is.undefined(candidate.code)) && (Is.undefined(candidate.codeDescription) || Is.string((_a = candidate.codeDescription) === null || _a === void 0 ? void 0 : _a.href)) && (Is.string(candidate.source) || Is.undefined(candidate.source)) && (Is.undefined(candidate.relatedInformation) || Is.typedArray(candidate.relatedInformation, DiagnosticRelatedInformation.is));
      }
      Diagnostic2.is = is;
      function is3_17(value) {
        return Is.string(value.message);
      }
      Diagnostic2.is3_17 = is3_17;
      function getMessageString(diagnostic) {
        if (Is.string(diagnostic.message)) {
          return diagnostic.message;
        } else if (MarkupContent.is(diagnostic.message)) {
          return diagnostic.message.value;
        } else {
          throw new Error(`Unknown message type ${typeof diagnostic.message}`);
        }
      }
      Diagnostic2.getMessageString = getMessageString;
    })(Diagnostic || (Diagnostic = {}));
    (function(Command2) {
      function create(title, command, ...args) {
        const result = { title, command };
        if (Is.defined(args) && args.length > 0) {
          result.arguments = args;
        }
        return result;
      }
      Command2.create = create;
      function is(value) {
        const candidate = value;
        return Is.defined(candidate) && Is.string(candidate.title) && (candidate.tooltip === void 0 || Is.string(candidate.tooltip)) && Is.string(candidate.command);
      }
      Command2.is = is;
    })(Command || (Command = {}));
    (function(TextEdit2) {
      function replace(range, newText) {
        return { range, newText };
      }
      TextEdit2.replace = replace;
      function insert(position, newText) {
        return { range: { start: position, end: position }, newText };
      }
      TextEdit2.insert = insert;
      function del(range) {
        return { range, newText: "" };
      }
      TextEdit2.del = del;
      function is(value) {
        const candidate = value;
        return Is.objectLiteral(candidate) && Is.string(candidate.newText) && Range.is(candidate.range);
      }
      TextEdit2.is = is;
    })(TextEdit || (TextEdit = {}));
    (function(ChangeAnnotation2) {
      function create(label, needsConfirmation, description) {
        const result = { label };
        if (needsConfirmation !== void 0) {
          result.needsConfirmation = needsConfirmation;
        }
        if (description !== void 0) {
          result.description = description;
        }
        return result;
      }
      ChangeAnnotation2.create = create;
      function is(value) {
        const candidate = value;
        return Is.objectLiteral(candidate) && Is.string(candidate.label) && (Is.boolean(candidate.needsConfirmation) || candidate.needsConfirmation === void 0) && (Is.string(candidate.description) || candidate.description === void 0);
      }
      ChangeAnnotation2.is = is;
    })(ChangeAnnotation || (ChangeAnnotation = {}));
    (function(ChangeAnnotationIdentifier2) {
      function is(value) {
        const candidate = value;
        return Is.string(candidate);
      }
      ChangeAnnotationIdentifier2.is = is;
    })(ChangeAnnotationIdentifier || (ChangeAnnotationIdentifier = {}));
    (function(AnnotatedTextEdit2) {
      function replace(range, newText, annotation) {
        return { range, newText, annotationId: annotation };
      }
      AnnotatedTextEdit2.replace = replace;
      function insert(position, newText, annotation) {
        return { range: { start: position, end: position }, newText, annotationId: annotation };
      }
      AnnotatedTextEdit2.insert = insert;
      function del(range, annotation) {
        return { range, newText: "", annotationId: annotation };
      }
      AnnotatedTextEdit2.del = del;
      function is(value) {
        const candidate = value;
        return TextEdit.is(candidate) && (ChangeAnnotation.is(candidate.annotationId) || ChangeAnnotationIdentifier.is(candidate.annotationId));
      }
      AnnotatedTextEdit2.is = is;
    })(AnnotatedTextEdit || (AnnotatedTextEdit = {}));
    (function(TextDocumentEdit2) {
      function create(textDocument, edits) {
        return { textDocument, edits };
      }
      TextDocumentEdit2.create = create;
      function is(value) {
        const candidate = value;
        return Is.defined(candidate) && OptionalVersionedTextDocumentIdentifier.is(candidate.textDocument) && Array.isArray(candidate.edits);
      }
      TextDocumentEdit2.is = is;
    })(TextDocumentEdit || (TextDocumentEdit = {}));
    (function(CreateFile2) {
      function create(uri, options, annotation) {
        const result = {
          kind: "create",
          uri
        };
        if (options !== void 0 && (options.overwrite !== void 0 || options.ignoreIfExists !== void 0)) {
          result.options = options;
        }
        if (annotation !== void 0) {
          result.annotationId = annotation;
        }
        return result;
      }
      CreateFile2.create = create;
      function is(value) {
        const candidate = value;
        return candidate && candidate.kind === "create" && Is.string(candidate.uri) && (candidate.options === void 0 || (candidate.options.overwrite === void 0 || Is.boolean(candidate.options.overwrite)) && (candidate.options.ignoreIfExists === void 0 || Is.boolean(candidate.options.ignoreIfExists))) && (candidate.annotationId === void 0 || ChangeAnnotationIdentifier.is(candidate.annotationId));
      }
      CreateFile2.is = is;
    })(CreateFile || (CreateFile = {}));
    (function(RenameFile2) {
      function create(oldUri, newUri, options, annotation) {
        const result = {
          kind: "rename",
          oldUri,
          newUri
        };
        if (options !== void 0 && (options.overwrite !== void 0 || options.ignoreIfExists !== void 0)) {
          result.options = options;
        }
        if (annotation !== void 0) {
          result.annotationId = annotation;
        }
        return result;
      }
      RenameFile2.create = create;
      function is(value) {
        const candidate = value;
        return candidate && candidate.kind === "rename" && Is.string(candidate.oldUri) && Is.string(candidate.newUri) && (candidate.options === void 0 || (candidate.options.overwrite === void 0 || Is.boolean(candidate.options.overwrite)) && (candidate.options.ignoreIfExists === void 0 || Is.boolean(candidate.options.ignoreIfExists))) && (candidate.annotationId === void 0 || ChangeAnnotationIdentifier.is(candidate.annotationId));
      }
      RenameFile2.is = is;
    })(RenameFile || (RenameFile = {}));
    (function(DeleteFile2) {
      function create(uri, options, annotation) {
        const result = {
          kind: "delete",
          uri
        };
        if (options !== void 0 && (options.recursive !== void 0 || options.ignoreIfNotExists !== void 0)) {
          result.options = options;
        }
        if (annotation !== void 0) {
          result.annotationId = annotation;
        }
        return result;
      }
      DeleteFile2.create = create;
      function is(value) {
        const candidate = value;
        return candidate && candidate.kind === "delete" && Is.string(candidate.uri) && (candidate.options === void 0 || (candidate.options.recursive === void 0 || Is.boolean(candidate.options.recursive)) && (candidate.options.ignoreIfNotExists === void 0 || Is.boolean(candidate.options.ignoreIfNotExists))) && (candidate.annotationId === void 0 || ChangeAnnotationIdentifier.is(candidate.annotationId));
      }
      DeleteFile2.is = is;
    })(DeleteFile || (DeleteFile = {}));
    (function(WorkspaceEdit2) {
      function is(value) {
        const candidate = value;
        return candidate && (candidate.changes !== void 0 || candidate.documentChanges !== void 0) && (candidate.documentChanges === void 0 || candidate.documentChanges.every((change) => {
          if (Is.string(change.kind)) {
            return CreateFile.is(change) || RenameFile.is(change) || DeleteFile.is(change);
          } else {
            return TextDocumentEdit.is(change);
          }
        }));
      }
      WorkspaceEdit2.is = is;
    })(WorkspaceEdit || (WorkspaceEdit = {}));
    TextEditChangeImpl = class {
      constructor(edits, changeAnnotations) {
        this.edits = edits;
        this.changeAnnotations = changeAnnotations;
      }
      insert(position, newText, annotation) {
        let edit;
        let id;
        if (annotation === void 0) {
          edit = TextEdit.insert(position, newText);
        } else if (ChangeAnnotationIdentifier.is(annotation)) {
          id = annotation;
          edit = AnnotatedTextEdit.insert(position, newText, annotation);
        } else {
          this.assertChangeAnnotations(this.changeAnnotations);
          id = this.changeAnnotations.manage(annotation);
          edit = AnnotatedTextEdit.insert(position, newText, id);
        }
        this.edits.push(edit);
        if (id !== void 0) {
          return id;
        }
      }
      replace(range, newText, annotation) {
        let edit;
        let id;
        if (annotation === void 0) {
          edit = TextEdit.replace(range, newText);
        } else if (ChangeAnnotationIdentifier.is(annotation)) {
          id = annotation;
          edit = AnnotatedTextEdit.replace(range, newText, annotation);
        } else {
          this.assertChangeAnnotations(this.changeAnnotations);
          id = this.changeAnnotations.manage(annotation);
          edit = AnnotatedTextEdit.replace(range, newText, id);
        }
        this.edits.push(edit);
        if (id !== void 0) {
          return id;
        }
      }
      delete(range, annotation) {
        let edit;
        let id;
        if (annotation === void 0) {
          edit = TextEdit.del(range);
        } else if (ChangeAnnotationIdentifier.is(annotation)) {
          id = annotation;
          edit = AnnotatedTextEdit.del(range, annotation);
        } else {
          this.assertChangeAnnotations(this.changeAnnotations);
          id = this.changeAnnotations.manage(annotation);
          edit = AnnotatedTextEdit.del(range, id);
        }
        this.edits.push(edit);
        if (id !== void 0) {
          return id;
        }
      }
      add(edit) {
        this.edits.push(edit);
      }
      all() {
        return this.edits;
      }
      clear() {
        this.edits.splice(0, this.edits.length);
      }
      assertChangeAnnotations(value) {
        if (value === void 0) {
          throw new Error(`Text edit change is not configured to manage change annotations.`);
        }
      }
    };
    (function(SnippetTextEdit2) {
      function is(value) {
        const candidate = value;
        return Is.objectLiteral(candidate) && Range.is(candidate.range) && StringValue.isSnippet(candidate.snippet) && (candidate.annotationId === void 0 || (ChangeAnnotation.is(candidate.annotationId) || ChangeAnnotationIdentifier.is(candidate.annotationId)));
      }
      SnippetTextEdit2.is = is;
    })(SnippetTextEdit || (SnippetTextEdit = {}));
    ChangeAnnotations = class {
      constructor(annotations) {
        this._annotations = annotations === void 0 ? /* @__PURE__ */ Object.create(null) : annotations;
        this._counter = 0;
        this._size = 0;
      }
      all() {
        return this._annotations;
      }
      get size() {
        return this._size;
      }
      manage(idOrAnnotation, annotation) {
        let id;
        if (ChangeAnnotationIdentifier.is(idOrAnnotation)) {
          id = idOrAnnotation;
        } else {
          id = this.nextId();
          annotation = idOrAnnotation;
        }
        if (this._annotations[id] !== void 0) {
          throw new Error(`Id ${id} is already in use.`);
        }
        if (annotation === void 0) {
          throw new Error(`No annotation provided for id ${id}`);
        }
        this._annotations[id] = annotation;
        this._size++;
        return id;
      }
      nextId() {
        this._counter++;
        return this._counter.toString();
      }
    };
    WorkspaceChange = class {
      constructor(workspaceEdit) {
        this._textEditChanges = /* @__PURE__ */ Object.create(null);
        if (workspaceEdit !== void 0) {
          this._workspaceEdit = workspaceEdit;
          if (workspaceEdit.documentChanges) {
            this._changeAnnotations = new ChangeAnnotations(workspaceEdit.changeAnnotations);
            workspaceEdit.changeAnnotations = this._changeAnnotations.all();
            workspaceEdit.documentChanges.forEach((change) => {
              if (TextDocumentEdit.is(change)) {
                const textEditChange = new TextEditChangeImpl(change.edits, this._changeAnnotations);
                this._textEditChanges[change.textDocument.uri] = textEditChange;
              }
            });
          } else if (workspaceEdit.changes) {
            Object.keys(workspaceEdit.changes).forEach((key) => {
              const textEditChange = new TextEditChangeImpl(workspaceEdit.changes[key]);
              this._textEditChanges[key] = textEditChange;
            });
          }
        } else {
          this._workspaceEdit = {};
        }
      }
      /**
       * Returns the underlying {@link WorkspaceEdit} literal
       * use to be returned from a workspace edit operation like rename.
       */
      get edit() {
        this.initDocumentChanges();
        if (this._changeAnnotations !== void 0) {
          if (this._changeAnnotations.size === 0) {
            this._workspaceEdit.changeAnnotations = void 0;
          } else {
            this._workspaceEdit.changeAnnotations = this._changeAnnotations.all();
          }
        }
        return this._workspaceEdit;
      }
      getTextEditChange(key) {
        if (OptionalVersionedTextDocumentIdentifier.is(key)) {
          this.initDocumentChanges();
          if (this._workspaceEdit.documentChanges === void 0) {
            throw new Error("Workspace edit is not configured for document changes.");
          }
          const textDocument = { uri: key.uri, version: key.version };
          let result = this._textEditChanges[textDocument.uri];
          if (!result) {
            const edits = [];
            const textDocumentEdit = {
              textDocument,
              edits
            };
            this._workspaceEdit.documentChanges.push(textDocumentEdit);
            result = new TextEditChangeImpl(edits, this._changeAnnotations);
            this._textEditChanges[textDocument.uri] = result;
          }
          return result;
        } else {
          this.initChanges();
          if (this._workspaceEdit.changes === void 0) {
            throw new Error("Workspace edit is not configured for normal text edit changes.");
          }
          let result = this._textEditChanges[key];
          if (!result) {
            const edits = [];
            this._workspaceEdit.changes[key] = edits;
            result = new TextEditChangeImpl(edits);
            this._textEditChanges[key] = result;
          }
          return result;
        }
      }
      initDocumentChanges() {
        if (this._workspaceEdit.documentChanges === void 0 && this._workspaceEdit.changes === void 0) {
          this._changeAnnotations = new ChangeAnnotations();
          this._workspaceEdit.documentChanges = [];
          this._workspaceEdit.changeAnnotations = this._changeAnnotations.all();
        }
      }
      initChanges() {
        if (this._workspaceEdit.documentChanges === void 0 && this._workspaceEdit.changes === void 0) {
          this._workspaceEdit.changes = /* @__PURE__ */ Object.create(null);
        }
      }
      createFile(uri, optionsOrAnnotation, options) {
        this.initDocumentChanges();
        if (this._workspaceEdit.documentChanges === void 0) {
          throw new Error("Workspace edit is not configured for document changes.");
        }
        let annotation;
        if (ChangeAnnotation.is(optionsOrAnnotation) || ChangeAnnotationIdentifier.is(optionsOrAnnotation)) {
          annotation = optionsOrAnnotation;
        } else {
          options = optionsOrAnnotation;
        }
        let operation;
        let id;
        if (annotation === void 0) {
          operation = CreateFile.create(uri, options);
        } else {
          id = ChangeAnnotationIdentifier.is(annotation) ? annotation : this._changeAnnotations.manage(annotation);
          operation = CreateFile.create(uri, options, id);
        }
        this._workspaceEdit.documentChanges.push(operation);
        if (id !== void 0) {
          return id;
        }
      }
      renameFile(oldUri, newUri, optionsOrAnnotation, options) {
        this.initDocumentChanges();
        if (this._workspaceEdit.documentChanges === void 0) {
          throw new Error("Workspace edit is not configured for document changes.");
        }
        let annotation;
        if (ChangeAnnotation.is(optionsOrAnnotation) || ChangeAnnotationIdentifier.is(optionsOrAnnotation)) {
          annotation = optionsOrAnnotation;
        } else {
          options = optionsOrAnnotation;
        }
        let operation;
        let id;
        if (annotation === void 0) {
          operation = RenameFile.create(oldUri, newUri, options);
        } else {
          id = ChangeAnnotationIdentifier.is(annotation) ? annotation : this._changeAnnotations.manage(annotation);
          operation = RenameFile.create(oldUri, newUri, options, id);
        }
        this._workspaceEdit.documentChanges.push(operation);
        if (id !== void 0) {
          return id;
        }
      }
      deleteFile(uri, optionsOrAnnotation, options) {
        this.initDocumentChanges();
        if (this._workspaceEdit.documentChanges === void 0) {
          throw new Error("Workspace edit is not configured for document changes.");
        }
        let annotation;
        if (ChangeAnnotation.is(optionsOrAnnotation) || ChangeAnnotationIdentifier.is(optionsOrAnnotation)) {
          annotation = optionsOrAnnotation;
        } else {
          options = optionsOrAnnotation;
        }
        let operation;
        let id;
        if (annotation === void 0) {
          operation = DeleteFile.create(uri, options);
        } else {
          id = ChangeAnnotationIdentifier.is(annotation) ? annotation : this._changeAnnotations.manage(annotation);
          operation = DeleteFile.create(uri, options, id);
        }
        this._workspaceEdit.documentChanges.push(operation);
        if (id !== void 0) {
          return id;
        }
      }
    };
    (function(TextDocumentIdentifier2) {
      function create(uri) {
        return { uri };
      }
      TextDocumentIdentifier2.create = create;
      function is(value) {
        const candidate = value;
        return Is.defined(candidate) && Is.string(candidate.uri);
      }
      TextDocumentIdentifier2.is = is;
    })(TextDocumentIdentifier || (TextDocumentIdentifier = {}));
    (function(VersionedTextDocumentIdentifier2) {
      function create(uri, version) {
        return { uri, version };
      }
      VersionedTextDocumentIdentifier2.create = create;
      function is(value) {
        const candidate = value;
        return Is.defined(candidate) && Is.string(candidate.uri) && Is.integer(candidate.version);
      }
      VersionedTextDocumentIdentifier2.is = is;
    })(VersionedTextDocumentIdentifier || (VersionedTextDocumentIdentifier = {}));
    (function(OptionalVersionedTextDocumentIdentifier2) {
      function create(uri, version) {
        return { uri, version };
      }
      OptionalVersionedTextDocumentIdentifier2.create = create;
      function is(value) {
        const candidate = value;
        return Is.defined(candidate) && Is.string(candidate.uri) && (candidate.version === null || Is.integer(candidate.version));
      }
      OptionalVersionedTextDocumentIdentifier2.is = is;
    })(OptionalVersionedTextDocumentIdentifier || (OptionalVersionedTextDocumentIdentifier = {}));
    (function(LanguageKind2) {
      LanguageKind2.ABAP = "abap";
      LanguageKind2.WindowsBat = "bat";
      LanguageKind2.BibTeX = "bibtex";
      LanguageKind2.Clojure = "clojure";
      LanguageKind2.Coffeescript = "coffeescript";
      LanguageKind2.C = "c";
      LanguageKind2.CPP = "cpp";
      LanguageKind2.CSharp = "csharp";
      LanguageKind2.CSS = "css";
      LanguageKind2.D = "d";
      LanguageKind2.Delphi = "pascal";
      LanguageKind2.Diff = "diff";
      LanguageKind2.Dart = "dart";
      LanguageKind2.Dockerfile = "dockerfile";
      LanguageKind2.Elixir = "elixir";
      LanguageKind2.Erlang = "erlang";
      LanguageKind2.FSharp = "fsharp";
      LanguageKind2.GitCommit = "git-commit";
      LanguageKind2.GitRebase = "git-rebase";
      LanguageKind2.Go = "go";
      LanguageKind2.Groovy = "groovy";
      LanguageKind2.Handlebars = "handlebars";
      LanguageKind2.Haskell = "haskell";
      LanguageKind2.HTML = "html";
      LanguageKind2.Ini = "ini";
      LanguageKind2.Java = "java";
      LanguageKind2.JavaScript = "javascript";
      LanguageKind2.JavaScriptReact = "javascriptreact";
      LanguageKind2.JSON = "json";
      LanguageKind2.LaTeX = "latex";
      LanguageKind2.Less = "less";
      LanguageKind2.Lua = "lua";
      LanguageKind2.Makefile = "makefile";
      LanguageKind2.Markdown = "markdown";
      LanguageKind2.ObjectiveC = "objective-c";
      LanguageKind2.ObjectiveCPP = "objective-cpp";
      LanguageKind2.Pascal = "pascal";
      LanguageKind2.Perl = "perl";
      LanguageKind2.Perl6 = "perl6";
      LanguageKind2.PHP = "php";
      LanguageKind2.Plaintext = "plaintext";
      LanguageKind2.Powershell = "powershell";
      LanguageKind2.Pug = "jade";
      LanguageKind2.Python = "python";
      LanguageKind2.R = "r";
      LanguageKind2.Razor = "razor";
      LanguageKind2.Ruby = "ruby";
      LanguageKind2.Rust = "rust";
      LanguageKind2.SCSS = "scss";
      LanguageKind2.SASS = "sass";
      LanguageKind2.Scala = "scala";
      LanguageKind2.ShaderLab = "shaderlab";
      LanguageKind2.ShellScript = "shellscript";
      LanguageKind2.SQL = "sql";
      LanguageKind2.Swift = "swift";
      LanguageKind2.TypeScript = "typescript";
      LanguageKind2.TypeScriptReact = "typescriptreact";
      LanguageKind2.TeX = "tex";
      LanguageKind2.VisualBasic = "vb";
      LanguageKind2.XML = "xml";
      LanguageKind2.XSL = "xsl";
      LanguageKind2.YAML = "yaml";
    })(LanguageKind || (LanguageKind = {}));
    (function(TextDocumentItem2) {
      function create(uri, languageId, version, text2) {
        return { uri, languageId, version, text: text2 };
      }
      TextDocumentItem2.create = create;
      function is(value) {
        const candidate = value;
        return Is.defined(candidate) && Is.string(candidate.uri) && Is.string(candidate.languageId) && Is.integer(candidate.version) && Is.string(candidate.text);
      }
      TextDocumentItem2.is = is;
    })(TextDocumentItem || (TextDocumentItem = {}));
    (function(MarkupKind2) {
      MarkupKind2.PlainText = "plaintext";
      MarkupKind2.Markdown = "markdown";
      function is(value) {
        const candidate = value;
        return candidate === MarkupKind2.PlainText || candidate === MarkupKind2.Markdown;
      }
      MarkupKind2.is = is;
    })(MarkupKind || (MarkupKind = {}));
    (function(MarkupContent2) {
      function is(value) {
        const candidate = value;
        return Is.objectLiteral(value) && MarkupKind.is(candidate.kind) && Is.string(candidate.value);
      }
      MarkupContent2.is = is;
    })(MarkupContent || (MarkupContent = {}));
    (function(CompletionItemKind2) {
      CompletionItemKind2.Text = 1;
      CompletionItemKind2.Method = 2;
      CompletionItemKind2.Function = 3;
      CompletionItemKind2.Constructor = 4;
      CompletionItemKind2.Field = 5;
      CompletionItemKind2.Variable = 6;
      CompletionItemKind2.Class = 7;
      CompletionItemKind2.Interface = 8;
      CompletionItemKind2.Module = 9;
      CompletionItemKind2.Property = 10;
      CompletionItemKind2.Unit = 11;
      CompletionItemKind2.Value = 12;
      CompletionItemKind2.Enum = 13;
      CompletionItemKind2.Keyword = 14;
      CompletionItemKind2.Snippet = 15;
      CompletionItemKind2.Color = 16;
      CompletionItemKind2.File = 17;
      CompletionItemKind2.Reference = 18;
      CompletionItemKind2.Folder = 19;
      CompletionItemKind2.EnumMember = 20;
      CompletionItemKind2.Constant = 21;
      CompletionItemKind2.Struct = 22;
      CompletionItemKind2.Event = 23;
      CompletionItemKind2.Operator = 24;
      CompletionItemKind2.TypeParameter = 25;
    })(CompletionItemKind || (CompletionItemKind = {}));
    (function(InsertTextFormat2) {
      InsertTextFormat2.PlainText = 1;
      InsertTextFormat2.Snippet = 2;
    })(InsertTextFormat || (InsertTextFormat = {}));
    (function(CompletionItemTag2) {
      CompletionItemTag2.Deprecated = 1;
    })(CompletionItemTag || (CompletionItemTag = {}));
    (function(InsertReplaceEdit2) {
      function create(newText, insert, replace) {
        return { newText, insert, replace };
      }
      InsertReplaceEdit2.create = create;
      function is(value) {
        const candidate = value;
        return candidate && Is.string(candidate.newText) && Range.is(candidate.insert) && Range.is(candidate.replace);
      }
      InsertReplaceEdit2.is = is;
    })(InsertReplaceEdit || (InsertReplaceEdit = {}));
    (function(InsertTextMode2) {
      InsertTextMode2.asIs = 1;
      InsertTextMode2.adjustIndentation = 2;
    })(InsertTextMode || (InsertTextMode = {}));
    (function(ApplyKind2) {
      ApplyKind2.Replace = 1;
      ApplyKind2.Merge = 2;
    })(ApplyKind || (ApplyKind = {}));
    (function(CompletionItemLabelDetails2) {
      function is(value) {
        const candidate = value;
        return candidate && (Is.string(candidate.detail) || candidate.detail === void 0) && (Is.string(candidate.description) || candidate.description === void 0);
      }
      CompletionItemLabelDetails2.is = is;
    })(CompletionItemLabelDetails || (CompletionItemLabelDetails = {}));
    (function(CompletionItem2) {
      function create(label) {
        return { label };
      }
      CompletionItem2.create = create;
    })(CompletionItem || (CompletionItem = {}));
    (function(CompletionList2) {
      function create(items, isIncomplete) {
        return { items: items ? items : [], isIncomplete: !!isIncomplete };
      }
      CompletionList2.create = create;
    })(CompletionList || (CompletionList = {}));
    (function(MarkedString2) {
      function fromPlainText(plainText) {
        return plainText.replace(/[\\`*_{}[\]()#+\-.!]/g, "\\$&");
      }
      MarkedString2.fromPlainText = fromPlainText;
      function is(value) {
        const candidate = value;
        return Is.string(candidate) || Is.objectLiteral(candidate) && Is.string(candidate.language) && Is.string(candidate.value);
      }
      MarkedString2.is = is;
    })(MarkedString || (MarkedString = {}));
    (function(Hover2) {
      function is(value) {
        const candidate = value;
        return !!candidate && Is.objectLiteral(candidate) && (MarkupContent.is(candidate.contents) || MarkedString.is(candidate.contents) || Is.typedArray(candidate.contents, MarkedString.is)) && (value.range === void 0 || Range.is(value.range));
      }
      Hover2.is = is;
    })(Hover || (Hover = {}));
    (function(ParameterInformation2) {
      function create(label, documentation) {
        return documentation ? { label, documentation } : { label };
      }
      ParameterInformation2.create = create;
    })(ParameterInformation || (ParameterInformation = {}));
    (function(SignatureInformation2) {
      function create(label, documentation, ...parameters) {
        const result = { label };
        if (Is.defined(documentation)) {
          result.documentation = documentation;
        }
        if (Is.defined(parameters)) {
          result.parameters = parameters;
        } else {
          result.parameters = [];
        }
        return result;
      }
      SignatureInformation2.create = create;
    })(SignatureInformation || (SignatureInformation = {}));
    (function(DocumentHighlightKind2) {
      DocumentHighlightKind2.Text = 1;
      DocumentHighlightKind2.Read = 2;
      DocumentHighlightKind2.Write = 3;
    })(DocumentHighlightKind || (DocumentHighlightKind = {}));
    (function(DocumentHighlight2) {
      function create(range, kind) {
        const result = { range };
        if (Is.number(kind)) {
          result.kind = kind;
        }
        return result;
      }
      DocumentHighlight2.create = create;
    })(DocumentHighlight || (DocumentHighlight = {}));
    (function(SymbolKind2) {
      SymbolKind2.File = 1;
      SymbolKind2.Module = 2;
      SymbolKind2.Namespace = 3;
      SymbolKind2.Package = 4;
      SymbolKind2.Class = 5;
      SymbolKind2.Method = 6;
      SymbolKind2.Property = 7;
      SymbolKind2.Field = 8;
      SymbolKind2.Constructor = 9;
      SymbolKind2.Enum = 10;
      SymbolKind2.Interface = 11;
      SymbolKind2.Function = 12;
      SymbolKind2.Variable = 13;
      SymbolKind2.Constant = 14;
      SymbolKind2.String = 15;
      SymbolKind2.Number = 16;
      SymbolKind2.Boolean = 17;
      SymbolKind2.Array = 18;
      SymbolKind2.Object = 19;
      SymbolKind2.Key = 20;
      SymbolKind2.Null = 21;
      SymbolKind2.EnumMember = 22;
      SymbolKind2.Struct = 23;
      SymbolKind2.Event = 24;
      SymbolKind2.Operator = 25;
      SymbolKind2.TypeParameter = 26;
    })(SymbolKind || (SymbolKind = {}));
    (function(SymbolTag2) {
      SymbolTag2.Deprecated = 1;
    })(SymbolTag || (SymbolTag = {}));
    (function(SymbolInformation2) {
      function create(name, kind, range, uri, containerName2) {
        const result = {
          name,
          kind,
          location: { uri, range }
        };
        if (containerName2) {
          result.containerName = containerName2;
        }
        return result;
      }
      SymbolInformation2.create = create;
    })(SymbolInformation || (SymbolInformation = {}));
    (function(WorkspaceSymbol2) {
      function create(name, kind, uri, range) {
        return range !== void 0 ? { name, kind, location: { uri, range } } : { name, kind, location: { uri } };
      }
      WorkspaceSymbol2.create = create;
    })(WorkspaceSymbol || (WorkspaceSymbol = {}));
    (function(DocumentSymbol2) {
      function create(name, detail, kind, range, selectionRange, children) {
        const result = {
          name,
          detail,
          kind,
          range,
          selectionRange
        };
        if (children !== void 0) {
          result.children = children;
        }
        return result;
      }
      DocumentSymbol2.create = create;
      function is(value) {
        const candidate = value;
        return candidate && Is.string(candidate.name) && Is.number(candidate.kind) && Range.is(candidate.range) && Range.is(candidate.selectionRange) && (candidate.detail === void 0 || Is.string(candidate.detail)) && (candidate.deprecated === void 0 || Is.boolean(candidate.deprecated)) && (candidate.children === void 0 || Array.isArray(candidate.children)) && (candidate.tags === void 0 || Array.isArray(candidate.tags));
      }
      DocumentSymbol2.is = is;
    })(DocumentSymbol || (DocumentSymbol = {}));
    (function(CodeActionKind2) {
      CodeActionKind2.Empty = "";
      CodeActionKind2.QuickFix = "quickfix";
      CodeActionKind2.Refactor = "refactor";
      CodeActionKind2.RefactorExtract = "refactor.extract";
      CodeActionKind2.RefactorInline = "refactor.inline";
      CodeActionKind2.RefactorMove = "refactor.move";
      CodeActionKind2.RefactorRewrite = "refactor.rewrite";
      CodeActionKind2.Source = "source";
      CodeActionKind2.SourceOrganizeImports = "source.organizeImports";
      CodeActionKind2.SourceFixAll = "source.fixAll";
      CodeActionKind2.Notebook = "notebook";
    })(CodeActionKind || (CodeActionKind = {}));
    (function(CodeActionTriggerKind2) {
      CodeActionTriggerKind2.Invoked = 1;
      CodeActionTriggerKind2.Automatic = 2;
    })(CodeActionTriggerKind || (CodeActionTriggerKind = {}));
    (function(CodeActionContext2) {
      function create(diagnostics, only, triggerKind) {
        const result = { diagnostics };
        if (only !== void 0 && only !== null) {
          result.only = only;
        }
        if (triggerKind !== void 0 && triggerKind !== null) {
          result.triggerKind = triggerKind;
        }
        return result;
      }
      CodeActionContext2.create = create;
      function is(value) {
        const candidate = value;
        return Is.defined(candidate) && Is.typedArray(candidate.diagnostics, Diagnostic.is) && (candidate.only === void 0 || Is.typedArray(candidate.only, Is.string)) && (candidate.triggerKind === void 0 || candidate.triggerKind === CodeActionTriggerKind.Invoked || candidate.triggerKind === CodeActionTriggerKind.Automatic);
      }
      CodeActionContext2.is = is;
    })(CodeActionContext || (CodeActionContext = {}));
    (function(CodeActionTag2) {
      CodeActionTag2.LLMGenerated = 1;
      function is(value) {
        return Is.defined(value) && value === CodeActionTag2.LLMGenerated;
      }
      CodeActionTag2.is = is;
    })(CodeActionTag || (CodeActionTag = {}));
    (function(CodeAction2) {
      function create(title, kindOrCommandOrEdit, kind) {
        const result = { title };
        let checkKind = true;
        if (typeof kindOrCommandOrEdit === "string") {
          checkKind = false;
          result.kind = kindOrCommandOrEdit;
        } else if (Command.is(kindOrCommandOrEdit)) {
          result.command = kindOrCommandOrEdit;
        } else {
          result.edit = kindOrCommandOrEdit;
        }
        if (checkKind && kind !== void 0) {
          result.kind = kind;
        }
        return result;
      }
      CodeAction2.create = create;
      function is(value) {
        const candidate = value;
        return candidate && Is.string(candidate.title) && (candidate.diagnostics === void 0 || Is.typedArray(candidate.diagnostics, Diagnostic.is)) && (candidate.kind === void 0 || Is.string(candidate.kind)) && (candidate.edit !== void 0 || candidate.command !== void 0) && (candidate.command === void 0 || Command.is(candidate.command)) && (candidate.isPreferred === void 0 || Is.boolean(candidate.isPreferred)) && (candidate.edit === void 0 || WorkspaceEdit.is(candidate.edit)) && (candidate.tags === void 0 || Is.typedArray(candidate.tags, CodeActionTag.is));
      }
      CodeAction2.is = is;
    })(CodeAction || (CodeAction = {}));
    (function(CodeLens2) {
      function create(range, data) {
        const result = { range };
        if (Is.defined(data)) {
          result.data = data;
        }
        return result;
      }
      CodeLens2.create = create;
      function is(value) {
        const candidate = value;
        return Is.defined(candidate) && Range.is(candidate.range) && (Is.undefined(candidate.command) || Command.is(candidate.command));
      }
      CodeLens2.is = is;
    })(CodeLens || (CodeLens = {}));
    (function(FormattingOptions2) {
      function create(tabSize, insertSpaces) {
        return { tabSize, insertSpaces };
      }
      FormattingOptions2.create = create;
      function is(value) {
        const candidate = value;
        return Is.defined(candidate) && Is.uinteger(candidate.tabSize) && Is.boolean(candidate.insertSpaces);
      }
      FormattingOptions2.is = is;
    })(FormattingOptions || (FormattingOptions = {}));
    (function(DocumentLink2) {
      function create(range, target, data) {
        return { range, target, data };
      }
      DocumentLink2.create = create;
      function is(value) {
        const candidate = value;
        return Is.defined(candidate) && Range.is(candidate.range) && (Is.undefined(candidate.target) || Is.string(candidate.target));
      }
      DocumentLink2.is = is;
    })(DocumentLink || (DocumentLink = {}));
    (function(SelectionRange2) {
      function create(range, parent) {
        return { range, parent };
      }
      SelectionRange2.create = create;
      function is(value) {
        const candidate = value;
        return Is.objectLiteral(candidate) && Range.is(candidate.range) && (candidate.parent === void 0 || SelectionRange2.is(candidate.parent));
      }
      SelectionRange2.is = is;
    })(SelectionRange || (SelectionRange = {}));
    (function(SemanticTokenTypes2) {
      SemanticTokenTypes2["namespace"] = "namespace";
      SemanticTokenTypes2["type"] = "type";
      SemanticTokenTypes2["class"] = "class";
      SemanticTokenTypes2["enum"] = "enum";
      SemanticTokenTypes2["interface"] = "interface";
      SemanticTokenTypes2["struct"] = "struct";
      SemanticTokenTypes2["typeParameter"] = "typeParameter";
      SemanticTokenTypes2["parameter"] = "parameter";
      SemanticTokenTypes2["variable"] = "variable";
      SemanticTokenTypes2["property"] = "property";
      SemanticTokenTypes2["enumMember"] = "enumMember";
      SemanticTokenTypes2["event"] = "event";
      SemanticTokenTypes2["function"] = "function";
      SemanticTokenTypes2["method"] = "method";
      SemanticTokenTypes2["macro"] = "macro";
      SemanticTokenTypes2["keyword"] = "keyword";
      SemanticTokenTypes2["modifier"] = "modifier";
      SemanticTokenTypes2["comment"] = "comment";
      SemanticTokenTypes2["string"] = "string";
      SemanticTokenTypes2["number"] = "number";
      SemanticTokenTypes2["regexp"] = "regexp";
      SemanticTokenTypes2["operator"] = "operator";
      SemanticTokenTypes2["decorator"] = "decorator";
      SemanticTokenTypes2["label"] = "label";
    })(SemanticTokenTypes || (SemanticTokenTypes = {}));
    (function(SemanticTokenModifiers2) {
      SemanticTokenModifiers2["declaration"] = "declaration";
      SemanticTokenModifiers2["definition"] = "definition";
      SemanticTokenModifiers2["readonly"] = "readonly";
      SemanticTokenModifiers2["static"] = "static";
      SemanticTokenModifiers2["deprecated"] = "deprecated";
      SemanticTokenModifiers2["abstract"] = "abstract";
      SemanticTokenModifiers2["async"] = "async";
      SemanticTokenModifiers2["modification"] = "modification";
      SemanticTokenModifiers2["documentation"] = "documentation";
      SemanticTokenModifiers2["defaultLibrary"] = "defaultLibrary";
    })(SemanticTokenModifiers || (SemanticTokenModifiers = {}));
    (function(SemanticTokens2) {
      function is(value) {
        const candidate = value;
        return Is.objectLiteral(candidate) && (candidate.resultId === void 0 || typeof candidate.resultId === "string") && Array.isArray(candidate.data) && (candidate.data.length === 0 || typeof candidate.data[0] === "number");
      }
      SemanticTokens2.is = is;
    })(SemanticTokens || (SemanticTokens = {}));
    (function(InlineValueText2) {
      function create(range, text2) {
        return { range, text: text2 };
      }
      InlineValueText2.create = create;
      function is(value) {
        const candidate = value;
        return candidate !== void 0 && candidate !== null && Range.is(candidate.range) && Is.string(candidate.text);
      }
      InlineValueText2.is = is;
    })(InlineValueText || (InlineValueText = {}));
    (function(InlineValueVariableLookup2) {
      function create(range, variableName, caseSensitiveLookup) {
        return { range, variableName, caseSensitiveLookup };
      }
      InlineValueVariableLookup2.create = create;
      function is(value) {
        const candidate = value;
        return candidate !== void 0 && candidate !== null && Range.is(candidate.range) && Is.boolean(candidate.caseSensitiveLookup) && (Is.string(candidate.variableName) || candidate.variableName === void 0);
      }
      InlineValueVariableLookup2.is = is;
    })(InlineValueVariableLookup || (InlineValueVariableLookup = {}));
    (function(InlineValueEvaluatableExpression2) {
      function create(range, expression) {
        return { range, expression };
      }
      InlineValueEvaluatableExpression2.create = create;
      function is(value) {
        const candidate = value;
        return candidate !== void 0 && candidate !== null && Range.is(candidate.range) && (Is.string(candidate.expression) || candidate.expression === void 0);
      }
      InlineValueEvaluatableExpression2.is = is;
    })(InlineValueEvaluatableExpression || (InlineValueEvaluatableExpression = {}));
    (function(InlineValueContext2) {
      function create(frameId, stoppedLocation) {
        return { frameId, stoppedLocation };
      }
      InlineValueContext2.create = create;
      function is(value) {
        const candidate = value;
        return Is.defined(candidate) && Range.is(value.stoppedLocation);
      }
      InlineValueContext2.is = is;
    })(InlineValueContext || (InlineValueContext = {}));
    (function(InlayHintKind2) {
      InlayHintKind2.Type = 1;
      InlayHintKind2.Parameter = 2;
      function is(value) {
        return value === 1 || value === 2;
      }
      InlayHintKind2.is = is;
    })(InlayHintKind || (InlayHintKind = {}));
    (function(InlayHintLabelPart2) {
      function create(value) {
        return { value };
      }
      InlayHintLabelPart2.create = create;
      function is(value) {
        const candidate = value;
        return Is.objectLiteral(candidate) && (candidate.tooltip === void 0 || Is.string(candidate.tooltip) || MarkupContent.is(candidate.tooltip)) && (candidate.location === void 0 || Location.is(candidate.location)) && (candidate.command === void 0 || Command.is(candidate.command));
      }
      InlayHintLabelPart2.is = is;
    })(InlayHintLabelPart || (InlayHintLabelPart = {}));
    (function(InlayHint2) {
      function create(position, label, kind) {
        const result = { position, label };
        if (kind !== void 0) {
          result.kind = kind;
        }
        return result;
      }
      InlayHint2.create = create;
      function is(value) {
        const candidate = value;
        return Is.objectLiteral(candidate) && Position.is(candidate.position) && (Is.string(candidate.label) || Is.typedArray(candidate.label, InlayHintLabelPart.is)) && (candidate.kind === void 0 || InlayHintKind.is(candidate.kind)) && candidate.textEdits === void 0 || Is.typedArray(candidate.textEdits, TextEdit.is) && (candidate.tooltip === void 0 || Is.string(candidate.tooltip) || MarkupContent.is(candidate.tooltip)) && (candidate.paddingLeft === void 0 || Is.boolean(candidate.paddingLeft)) && (candidate.paddingRight === void 0 || Is.boolean(candidate.paddingRight));
      }
      InlayHint2.is = is;
    })(InlayHint || (InlayHint = {}));
    (function(StringValue2) {
      function createSnippet(value) {
        return { kind: "snippet", value };
      }
      StringValue2.createSnippet = createSnippet;
      function isSnippet(value) {
        const candidate = value;
        return Is.objectLiteral(candidate) && candidate.kind === "snippet" && Is.string(candidate.value);
      }
      StringValue2.isSnippet = isSnippet;
    })(StringValue || (StringValue = {}));
    (function(InlineCompletionItem2) {
      function create(insertText, filterText, range, command) {
        return { insertText, filterText, range, command };
      }
      InlineCompletionItem2.create = create;
    })(InlineCompletionItem || (InlineCompletionItem = {}));
    (function(InlineCompletionList2) {
      function create(items) {
        return { items };
      }
      InlineCompletionList2.create = create;
    })(InlineCompletionList || (InlineCompletionList = {}));
    (function(InlineCompletionTriggerKind2) {
      InlineCompletionTriggerKind2.Invoked = 1;
      InlineCompletionTriggerKind2.Automatic = 2;
    })(InlineCompletionTriggerKind || (InlineCompletionTriggerKind = {}));
    (function(SelectedCompletionInfo2) {
      function create(range, text2) {
        return { range, text: text2 };
      }
      SelectedCompletionInfo2.create = create;
    })(SelectedCompletionInfo || (SelectedCompletionInfo = {}));
    (function(InlineCompletionContext2) {
      function create(triggerKind, selectedCompletionInfo) {
        return { triggerKind, selectedCompletionInfo };
      }
      InlineCompletionContext2.create = create;
    })(InlineCompletionContext || (InlineCompletionContext = {}));
    (function(WorkspaceFolder2) {
      function is(value) {
        const candidate = value;
        return Is.objectLiteral(candidate) && URI.is(candidate.uri) && Is.string(candidate.name);
      }
      WorkspaceFolder2.is = is;
    })(WorkspaceFolder || (WorkspaceFolder = {}));
    EOL = ["\n", "\r\n", "\r"];
    (function(TextDocument3) {
      function create(uri, languageId, version, content) {
        return new FullTextDocument(uri, languageId, version, content);
      }
      TextDocument3.create = create;
      function is(value) {
        const candidate = value;
        return Is.defined(candidate) && Is.string(candidate.uri) && (Is.undefined(candidate.languageId) || Is.string(candidate.languageId)) && Is.uinteger(candidate.lineCount) && Is.func(candidate.getText) && Is.func(candidate.positionAt) && Is.func(candidate.offsetAt) ? true : false;
      }
      TextDocument3.is = is;
      function applyEdits(document, edits) {
        let text2 = document.getText();
        const sortedEdits = mergeSort2(edits, (a, b) => {
          const diff = a.range.start.line - b.range.start.line;
          if (diff === 0) {
            return a.range.start.character - b.range.start.character;
          }
          return diff;
        });
        let lastModifiedOffset = text2.length;
        for (let i = sortedEdits.length - 1; i >= 0; i--) {
          const e = sortedEdits[i];
          const startOffset = document.offsetAt(e.range.start);
          const endOffset = document.offsetAt(e.range.end);
          if (endOffset <= lastModifiedOffset) {
            text2 = text2.substring(0, startOffset) + e.newText + text2.substring(endOffset, text2.length);
          } else {
            throw new Error("Overlapping edit");
          }
          lastModifiedOffset = startOffset;
        }
        return text2;
      }
      TextDocument3.applyEdits = applyEdits;
      function mergeSort2(data, compare2) {
        if (data.length <= 1) {
          return data;
        }
        const p = data.length / 2 | 0;
        const left = data.slice(0, p);
        const right = data.slice(p);
        mergeSort2(left, compare2);
        mergeSort2(right, compare2);
        let leftIdx = 0;
        let rightIdx = 0;
        let i = 0;
        while (leftIdx < left.length && rightIdx < right.length) {
          const ret = compare2(left[leftIdx], right[rightIdx]);
          if (ret <= 0) {
            data[i++] = left[leftIdx++];
          } else {
            data[i++] = right[rightIdx++];
          }
        }
        while (leftIdx < left.length) {
          data[i++] = left[leftIdx++];
        }
        while (rightIdx < right.length) {
          data[i++] = right[rightIdx++];
        }
        return data;
      }
    })(TextDocument || (TextDocument = {}));
    FullTextDocument = class {
      constructor(uri, languageId, version, content) {
        this._uri = uri;
        this._languageId = languageId;
        this._version = version;
        this._content = content;
        this._lineOffsets = void 0;
      }
      get uri() {
        return this._uri;
      }
      get languageId() {
        return this._languageId;
      }
      get version() {
        return this._version;
      }
      getText(range) {
        if (range) {
          const start = this.offsetAt(range.start);
          const end = this.offsetAt(range.end);
          return this._content.substring(start, end);
        }
        return this._content;
      }
      update(event, version) {
        this._content = event.text;
        this._version = version;
        this._lineOffsets = void 0;
      }
      getLineOffsets() {
        if (this._lineOffsets === void 0) {
          const lineOffsets = [];
          const text2 = this._content;
          let isLineStart = true;
          for (let i = 0; i < text2.length; i++) {
            if (isLineStart) {
              lineOffsets.push(i);
              isLineStart = false;
            }
            const ch = text2.charAt(i);
            isLineStart = ch === "\r" || ch === "\n";
            if (ch === "\r" && i + 1 < text2.length && text2.charAt(i + 1) === "\n") {
              i++;
            }
          }
          if (isLineStart && text2.length > 0) {
            lineOffsets.push(text2.length);
          }
          this._lineOffsets = lineOffsets;
        }
        return this._lineOffsets;
      }
      positionAt(offset) {
        offset = Math.max(Math.min(offset, this._content.length), 0);
        const lineOffsets = this.getLineOffsets();
        let low = 0, high = lineOffsets.length;
        if (high === 0) {
          return Position.create(0, offset);
        }
        while (low < high) {
          const mid = Math.floor((low + high) / 2);
          if (lineOffsets[mid] > offset) {
            high = mid;
          } else {
            low = mid + 1;
          }
        }
        const line = low - 1;
        return Position.create(line, offset - lineOffsets[line]);
      }
      offsetAt(position) {
        const lineOffsets = this.getLineOffsets();
        if (position.line >= lineOffsets.length) {
          return this._content.length;
        } else if (position.line < 0) {
          return 0;
        }
        const lineOffset = lineOffsets[position.line];
        const nextLineOffset = position.line + 1 < lineOffsets.length ? lineOffsets[position.line + 1] : this._content.length;
        return Math.max(Math.min(lineOffset + position.character, nextLineOffset), lineOffset);
      }
      get lineCount() {
        return this.getLineOffsets().length;
      }
    };
    (function(Is2) {
      const toString = Object.prototype.toString;
      function defined(value) {
        return typeof value !== "undefined";
      }
      Is2.defined = defined;
      function undefined2(value) {
        return typeof value === "undefined";
      }
      Is2.undefined = undefined2;
      function boolean(value) {
        return value === true || value === false;
      }
      Is2.boolean = boolean;
      function string(value) {
        return toString.call(value) === "[object String]";
      }
      Is2.string = string;
      function number(value) {
        return toString.call(value) === "[object Number]";
      }
      Is2.number = number;
      function numberRange(value, min, max) {
        return toString.call(value) === "[object Number]" && min <= value && value <= max;
      }
      Is2.numberRange = numberRange;
      function integer2(value) {
        return toString.call(value) === "[object Number]" && -2147483648 <= value && value <= 2147483647;
      }
      Is2.integer = integer2;
      function uinteger2(value) {
        return toString.call(value) === "[object Number]" && 0 <= value && value <= 2147483647;
      }
      Is2.uinteger = uinteger2;
      function func(value) {
        return toString.call(value) === "[object Function]";
      }
      Is2.func = func;
      function objectLiteral(value) {
        return value !== null && typeof value === "object";
      }
      Is2.objectLiteral = objectLiteral;
      function typedArray(value, check) {
        return Array.isArray(value) && value.every(check);
      }
      Is2.typedArray = typedArray;
    })(Is || (Is = {}));
  }
});

// node_modules/dockerfile-ast/lib/line.js
var require_line = __commonJS({
  "node_modules/dockerfile-ast/lib/line.js"(exports) {
    "use strict";
    Object.defineProperty(exports, "__esModule", { value: true });
    exports.Line = void 0;
    var Line = class {
      constructor(document, range) {
        this.document = document;
        this.range = range;
      }
      getRange() {
        return this.range;
      }
      getTextContent() {
        return this.document.getText().substring(this.document.offsetAt(this.range.start), this.document.offsetAt(this.range.end));
      }
      isAfter(line) {
        return this.range.start.line > line.range.start.line;
      }
      isBefore(line) {
        return this.range.start.line < line;
      }
    };
    exports.Line = Line;
  }
});

// node_modules/dockerfile-ast/lib/util.js
var require_util = __commonJS({
  "node_modules/dockerfile-ast/lib/util.js"(exports) {
    "use strict";
    Object.defineProperty(exports, "__esModule", { value: true });
    exports.Util = void 0;
    var Util = class _Util {
      static isUTF8BOM(char) {
        const uintArray = Uint8Array.from(Buffer.from(char, "UTF-8"));
        return uintArray[0] === 239 && uintArray[1] == 187 && uintArray[2] == 191;
      }
      static isWhitespace(char) {
        return char === " " || char === "	" || _Util.isNewline(char);
      }
      static isNewline(char) {
        return char === "\r" || char === "\n";
      }
      static findLeadingNonWhitespace(content, escapeChar) {
        whitespaceCheck: for (let i = 0; i < content.length; i++) {
          switch (content.charAt(i)) {
            case " ":
            case "	":
              continue;
            case escapeChar:
              escapeCheck: for (let j = i + 1; j < content.length; j++) {
                switch (content.charAt(j)) {
                  case " ":
                  case "	":
                    continue;
                  case "\r":
                    i = j + 1;
                    continue whitespaceCheck;
                  case "\n":
                    i = j;
                    continue whitespaceCheck;
                  default:
                    break escapeCheck;
                }
              }
              return -1;
            default:
              return i;
          }
        }
        return -1;
      }
      /**
       * Determines if the given position is contained within the given range.
       *
       * @param position the position to check
       * @param range the range to see if the position is inside of
       */
      static isInsideRange(position, range) {
        if (range.start.line === range.end.line) {
          return range.start.line === position.line && range.start.character <= position.character && position.character <= range.end.character;
        } else if (range.start.line === position.line) {
          return range.start.character <= position.character;
        } else if (range.end.line === position.line) {
          return position.character <= range.end.character;
        }
        return range.start.line < position.line && position.line < range.end.line;
      }
      static parseHeredocName(value) {
        value = value.substring(2);
        if (value.charAt(0) === "-") {
          value = value.substring(1);
        }
        if (value.charAt(0) === '"') {
          if (value.charAt(value.length - 1) !== '"') {
            return null;
          }
          value = value.substring(1, value.length - 1);
        }
        if (value.charAt(0) === "'") {
          if (value.charAt(value.length - 1) !== "'") {
            return null;
          }
          value = value.substring(1, value.length - 1);
        }
        if (value.charAt(0) === "<") {
          return null;
        }
        return value;
      }
    };
    exports.Util = Util;
  }
});

// node_modules/dockerfile-ast/lib/comment.js
var require_comment = __commonJS({
  "node_modules/dockerfile-ast/lib/comment.js"(exports) {
    "use strict";
    Object.defineProperty(exports, "__esModule", { value: true });
    exports.Comment = void 0;
    var vscode_languageserver_types_1 = (init_main(), __toCommonJS(main_exports));
    var line_1 = require_line();
    var util_1 = require_util();
    var Comment = class extends line_1.Line {
      constructor(document, range) {
        super(document, range);
      }
      toString() {
        const content = this.getContent();
        if (content) {
          return "# " + content;
        }
        return "#";
      }
      /**
       * Returns the content of this comment. This excludes leading and
       * trailing whitespace as well as the # symbol. If the comment only
       * consists of whitespace, the empty string will be returned.
       */
      getContent() {
        let range = this.getContentRange();
        if (range === null) {
          return "";
        }
        return this.document.getText().substring(this.document.offsetAt(range.start), this.document.offsetAt(range.end));
      }
      /**
       * Returns a range that includes the content of the comment
       * excluding any leading and trailing whitespace as well as the #
       * symbol. May return null if the comment only consists of whitespace
       * characters.
       */
      getContentRange() {
        let range = this.getRange();
        const startOffset = this.document.offsetAt(range.start);
        let raw = this.document.getText().substring(startOffset, this.document.offsetAt(range.end));
        let start = -1;
        let end = -1;
        for (let i = 1; i < raw.length; i++) {
          if (!util_1.Util.isWhitespace(raw.charAt(i))) {
            start = i;
            break;
          }
        }
        if (start === -1) {
          return null;
        }
        for (let i = raw.length - 1; i >= 1; i--) {
          if (!util_1.Util.isWhitespace(raw.charAt(i))) {
            end = i + 1;
            break;
          }
        }
        return vscode_languageserver_types_1.Range.create(this.document.positionAt(startOffset + start), this.document.positionAt(startOffset + end));
      }
    };
    exports.Comment = Comment;
  }
});

// node_modules/vscode-languageserver-textdocument/lib/esm/main.js
var main_exports2 = {};
__export(main_exports2, {
  TextDocument: () => TextDocument2
});
function mergeSort(data, compare2) {
  if (data.length <= 1) {
    return data;
  }
  const p = data.length / 2 | 0;
  const left = data.slice(0, p);
  const right = data.slice(p);
  mergeSort(left, compare2);
  mergeSort(right, compare2);
  let leftIdx = 0;
  let rightIdx = 0;
  let i = 0;
  while (leftIdx < left.length && rightIdx < right.length) {
    const ret = compare2(left[leftIdx], right[rightIdx]);
    if (ret <= 0) {
      data[i++] = left[leftIdx++];
    } else {
      data[i++] = right[rightIdx++];
    }
  }
  while (leftIdx < left.length) {
    data[i++] = left[leftIdx++];
  }
  while (rightIdx < right.length) {
    data[i++] = right[rightIdx++];
  }
  return data;
}
function computeLineOffsets(text2, isAtLineStart, textOffset = 0) {
  const result = isAtLineStart ? [textOffset] : [];
  for (let i = 0; i < text2.length; i++) {
    const ch = text2.charCodeAt(i);
    if (isEOL(ch)) {
      if (ch === 13 && i + 1 < text2.length && text2.charCodeAt(i + 1) === 10) {
        i++;
      }
      result.push(textOffset + i + 1);
    }
  }
  return result;
}
function isEOL(char) {
  return char === 13 || char === 10;
}
function getWellformedRange(range) {
  const start = range.start;
  const end = range.end;
  if (start.line > end.line || start.line === end.line && start.character > end.character) {
    return { start: end, end: start };
  }
  return range;
}
function getWellformedEdit(textEdit) {
  const range = getWellformedRange(textEdit.range);
  if (range !== textEdit.range) {
    return { newText: textEdit.newText, range };
  }
  return textEdit;
}
var FullTextDocument2, TextDocument2;
var init_main2 = __esm({
  "node_modules/vscode-languageserver-textdocument/lib/esm/main.js"() {
    "use strict";
    FullTextDocument2 = class _FullTextDocument {
      constructor(uri, languageId, version, content) {
        this._uri = uri;
        this._languageId = languageId;
        this._version = version;
        this._content = content;
        this._lineOffsets = void 0;
      }
      get uri() {
        return this._uri;
      }
      get languageId() {
        return this._languageId;
      }
      get version() {
        return this._version;
      }
      getText(range) {
        if (range) {
          const start = this.offsetAt(range.start);
          const end = this.offsetAt(range.end);
          return this._content.substring(start, end);
        }
        return this._content;
      }
      update(changes, version) {
        for (const change of changes) {
          if (_FullTextDocument.isIncremental(change)) {
            const range = getWellformedRange(change.range);
            const startOffset = this.offsetAt(range.start);
            const endOffset = this.offsetAt(range.end);
            this._content = this._content.substring(0, startOffset) + change.text + this._content.substring(endOffset, this._content.length);
            const insertedEndOffset = startOffset + change.text.length;
            const crlfAtStart = this._content.charCodeAt(startOffset - 1) === 13 && this._content.charCodeAt(startOffset) === 10;
            const crlfAtEnd = this._content.charCodeAt(insertedEndOffset - 1) === 13 && this._content.charCodeAt(insertedEndOffset) === 10;
            if (crlfAtStart || crlfAtEnd) {
              this._lineOffsets = void 0;
              continue;
            }
            const startLine = Math.max(range.start.line, 0);
            const endLine = Math.max(range.end.line, 0);
            let lineOffsets = this._lineOffsets;
            const addedLineOffsets = computeLineOffsets(change.text, false, startOffset);
            if (endLine - startLine === addedLineOffsets.length) {
              for (let i = 0, len = addedLineOffsets.length; i < len; i++) {
                lineOffsets[i + startLine + 1] = addedLineOffsets[i];
              }
            } else {
              if (addedLineOffsets.length < 1e4) {
                lineOffsets.splice(startLine + 1, endLine - startLine, ...addedLineOffsets);
              } else {
                this._lineOffsets = lineOffsets = lineOffsets.slice(0, startLine + 1).concat(addedLineOffsets, lineOffsets.slice(endLine + 1));
              }
            }
            const diff = change.text.length - (endOffset - startOffset);
            if (diff !== 0) {
              for (let i = startLine + 1 + addedLineOffsets.length, len = lineOffsets.length; i < len; i++) {
                lineOffsets[i] = lineOffsets[i] + diff;
              }
            }
          } else if (_FullTextDocument.isFull(change)) {
            this._content = change.text;
            this._lineOffsets = void 0;
          } else {
            throw new Error("Unknown change event received");
          }
        }
        this._version = version;
      }
      getLineOffsets() {
        if (this._lineOffsets === void 0) {
          this._lineOffsets = computeLineOffsets(this._content, true);
        }
        return this._lineOffsets;
      }
      positionAt(offset) {
        offset = Math.max(Math.min(offset, this._content.length), 0);
        const lineOffsets = this.getLineOffsets();
        let low = 0, high = lineOffsets.length;
        if (high === 0) {
          return { line: 0, character: offset };
        }
        while (low < high) {
          const mid = Math.floor((low + high) / 2);
          if (lineOffsets[mid] > offset) {
            high = mid;
          } else {
            low = mid + 1;
          }
        }
        const line = low - 1;
        offset = this.ensureBeforeEOL(offset, lineOffsets[line]);
        return { line, character: offset - lineOffsets[line] };
      }
      offsetAt(position) {
        const lineOffsets = this.getLineOffsets();
        if (position.line >= lineOffsets.length) {
          return this._content.length;
        } else if (position.line < 0) {
          return 0;
        }
        const lineOffset = lineOffsets[position.line];
        if (position.character <= 0) {
          return lineOffset;
        }
        const nextLineOffset = position.line + 1 < lineOffsets.length ? lineOffsets[position.line + 1] : this._content.length;
        const offset = Math.min(lineOffset + position.character, nextLineOffset);
        return this.ensureBeforeEOL(offset, lineOffset);
      }
      getLineRange(line) {
        const lineOffsets = this.getLineOffsets();
        if (line >= lineOffsets.length) {
          const lastLine2 = lineOffsets.length - 1;
          return { start: { line: lastLine2, character: 0 }, end: { line: lastLine2, character: this._content.length - lineOffsets[lastLine2] } };
        } else if (line < 0) {
          return { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } };
        }
        const startOffset = lineOffsets[line];
        const nextLineOffset = line + 1 < lineOffsets.length ? lineOffsets[line + 1] : this._content.length;
        const endOffset = this.ensureBeforeEOL(nextLineOffset, startOffset);
        return { start: { line, character: 0 }, end: { line, character: endOffset - startOffset } };
      }
      getEOLCharacters(line) {
        const lineOffsets = this.getLineOffsets();
        if (line >= lineOffsets.length) {
          return "";
        } else if (line < 0) {
          return "";
        }
        const nextLineOffset = line + 1 < lineOffsets.length ? lineOffsets[line + 1] : this._content.length;
        const eolOffset = this.ensureBeforeEOL(nextLineOffset, lineOffsets[line]);
        return this._content.substring(eolOffset, nextLineOffset);
      }
      ensureBeforeEOL(offset, lineOffset) {
        while (offset > lineOffset && isEOL(this._content.charCodeAt(offset - 1))) {
          offset--;
        }
        return offset;
      }
      get lineCount() {
        return this.getLineOffsets().length;
      }
      static isIncremental(event) {
        const candidate = event;
        return candidate !== void 0 && candidate !== null && typeof candidate.text === "string" && candidate.range !== void 0 && (candidate.rangeLength === void 0 || typeof candidate.rangeLength === "number");
      }
      static isFull(event) {
        const candidate = event;
        return candidate !== void 0 && candidate !== null && typeof candidate.text === "string" && candidate.range === void 0 && candidate.rangeLength === void 0;
      }
    };
    (function(TextDocument3) {
      function create(uri, languageId, version, content) {
        return new FullTextDocument2(uri, languageId, version, content);
      }
      TextDocument3.create = create;
      function update(document, changes, version) {
        if (document instanceof FullTextDocument2) {
          document.update(changes, version);
          return document;
        } else {
          throw new Error("TextDocument.update: document must be created by TextDocument.create");
        }
      }
      TextDocument3.update = update;
      function applyEdits(document, edits) {
        const text2 = document.getText();
        const sortedEdits = mergeSort(edits.map(getWellformedEdit), (a, b) => {
          const diff = a.range.start.line - b.range.start.line;
          if (diff === 0) {
            return a.range.start.character - b.range.start.character;
          }
          return diff;
        });
        let lastModifiedOffset = 0;
        const spans = [];
        for (const e of sortedEdits) {
          const startOffset = document.offsetAt(e.range.start);
          if (startOffset < lastModifiedOffset) {
            throw new Error("Overlapping edit");
          } else if (startOffset > lastModifiedOffset) {
            spans.push(text2.substring(lastModifiedOffset, startOffset));
          }
          if (e.newText.length) {
            spans.push(e.newText);
          }
          lastModifiedOffset = document.offsetAt(e.range.end);
        }
        spans.push(text2.substr(lastModifiedOffset));
        return spans.join("");
      }
      TextDocument3.applyEdits = applyEdits;
    })(TextDocument2 || (TextDocument2 = {}));
  }
});

// node_modules/dockerfile-ast/lib/parserDirective.js
var require_parserDirective = __commonJS({
  "node_modules/dockerfile-ast/lib/parserDirective.js"(exports) {
    "use strict";
    Object.defineProperty(exports, "__esModule", { value: true });
    exports.ParserDirective = void 0;
    var main_1 = require_main();
    var line_1 = require_line();
    var ParserDirective = class extends line_1.Line {
      constructor(document, range, nameRange, valueRange) {
        super(document, range);
        this.nameRange = nameRange;
        this.valueRange = valueRange;
      }
      toString() {
        return "# " + this.getName() + "=" + this.getValue();
      }
      getNameRange() {
        return this.nameRange;
      }
      getValueRange() {
        return this.valueRange;
      }
      getName() {
        return this.document.getText().substring(this.document.offsetAt(this.nameRange.start), this.document.offsetAt(this.nameRange.end));
      }
      getValue() {
        return this.document.getText().substring(this.document.offsetAt(this.valueRange.start), this.document.offsetAt(this.valueRange.end));
      }
      getDirective() {
        const directive = main_1.Directive[this.getName().toLowerCase()];
        return directive === void 0 ? null : directive;
      }
    };
    exports.ParserDirective = ParserDirective;
  }
});

// node_modules/dockerfile-ast/lib/heredoc.js
var require_heredoc = __commonJS({
  "node_modules/dockerfile-ast/lib/heredoc.js"(exports) {
    "use strict";
    Object.defineProperty(exports, "__esModule", { value: true });
    exports.Heredoc = void 0;
    var Heredoc = class {
      constructor(startRange, name, nameRange, contentRange, endRange) {
        this.startRange = startRange;
        this.name = name;
        this.nameRange = nameRange;
        this.contentRange = contentRange;
        this.endRange = endRange;
      }
      /**
       * Returns the name of the here-document.
       *
       * This API is experimental and subject to change.
       */
      getName() {
        return this.name;
      }
      /**
       * Returns the range of the start operator and the name. If the
       * here-document is initialized with <<EOT then the start range would
       * encompass all five characters.
       *
       * This API is experimental and subject to change.
       */
      getStartRange() {
        return this.startRange;
      }
      /**
       * Returns the range of this here-document's name that is declared at
       * the beginning of the here-document with the operator. If the
       * here-document is initialized with <<EOT then the name range would
       * encompass the latter three "EOT" characters.
       *
       * This API is experimental and subject to change.
       */
      getNameRange() {
        return this.nameRange;
      }
      /**
       * Returns the range of the content of this here-document. This may
       * be null if the here-document has no content because:
       * - the start range is the only thing that was declared
       * - the end range was declared immediately and there is no content
       *
       * This API is experimental and subject to change.
       */
      getContentRange() {
        return this.contentRange;
      }
      /**
       * Returns the range of the here-document's name on a line that
       * represents the end of the here-document.
       *
       * This API is experimental and subject to change.
       */
      getDelimiterRange() {
        return this.endRange;
      }
    };
    exports.Heredoc = Heredoc;
  }
});

// node_modules/dockerfile-ast/lib/variable.js
var require_variable = __commonJS({
  "node_modules/dockerfile-ast/lib/variable.js"(exports) {
    "use strict";
    Object.defineProperty(exports, "__esModule", { value: true });
    exports.Variable = void 0;
    var Variable = class {
      constructor(name, nameRange, range, modifier, modifierRange, substitutionParameter, substitutionRange, defined, buildVariable, stringValue) {
        this.name = name;
        this.nameRange = nameRange;
        this.range = range;
        this.modifier = modifier;
        this.modifierRange = modifierRange;
        this.substitutionParameter = substitutionParameter;
        this.substitutionRange = substitutionRange;
        this.defined = defined;
        this.buildVariable = buildVariable;
        this.stringValue = stringValue;
      }
      toString() {
        return this.stringValue;
      }
      getName() {
        return this.name;
      }
      getNameRange() {
        return this.nameRange;
      }
      /**
       * Returns the range of the entire variable. This includes the symbols for
       * the declaration of the variable such as the $, {, and } symbols.
       *
       * @return the range in the document that this variable encompasses in its
       *         entirety
       */
      getRange() {
        return this.range;
      }
      /**
       * Returns the modifier character that has been set for
       * specifying how this variable should be expanded and resolved.
       * If this variable is ${variable:+value} then the modifier
       * character is '+'. Will be the empty string if the variable is
       * declared as ${variable:}. Otherwise, will be null if this
       * variable will not use variable substitution at all (such as
       * ${variable} or $variable).
       *
       * @return this variable's modifier character, or the empty
       *         string if it does not have one, or null if this
       *         variable will not use variable substitution
       */
      getModifier() {
        return this.modifier;
      }
      getModifierRange() {
        return this.modifierRange;
      }
      /**
       * Returns the parameter that will be used for substitution if
       * this variable uses modifiers to define how its value should be
       * resolved. If this variable is ${variable:+value} then the
       * substitution value will be 'value'. Will be the empty string
       * if the variable is declared as ${variable:+} or some other
       * variant where the only thing that follows the modifier
       * character (excluding considerations of escape characters and
       * so on) is the variable's closing bracket. May be null if this
       * variable does not have a modifier character defined (such as
       * ${variable} or $variable).
       *
       * @return this variable's substitution parameter, or the empty
       *         string if it does not have one, or null if there is
       *         not one defined
       */
      getSubstitutionParameter() {
        return this.substitutionParameter;
      }
      getSubstitutionRange() {
        return this.substitutionRange;
      }
      /**
       * Returns whether this variable has been defined or not.
       *
       * @return true if this variable has been defined, false otherwise
       */
      isDefined() {
        return this.defined;
      }
      isBuildVariable() {
        return this.buildVariable === true;
      }
      isEnvironmentVariable() {
        return this.buildVariable === false;
      }
    };
    exports.Variable = Variable;
  }
});

// node_modules/dockerfile-ast/lib/instruction.js
var require_instruction = __commonJS({
  "node_modules/dockerfile-ast/lib/instruction.js"(exports) {
    "use strict";
    Object.defineProperty(exports, "__esModule", { value: true });
    exports.Instruction = void 0;
    var vscode_languageserver_types_1 = (init_main(), __toCommonJS(main_exports));
    var util_1 = require_util();
    var line_1 = require_line();
    var argument_1 = require_argument();
    var heredoc_1 = require_heredoc();
    var variable_1 = require_variable();
    var main_1 = require_main();
    var Instruction = class extends line_1.Line {
      constructor(document, range, dockerfile, escapeChar, instruction, instructionRange) {
        super(document, range);
        this.dockerfile = dockerfile;
        this.escapeChar = escapeChar;
        this.instruction = instruction;
        this.instructionRange = instructionRange;
      }
      toString() {
        let value = this.getKeyword();
        for (let arg of this.getRawArguments()) {
          value += " ";
          value += arg.getValue();
        }
        return value;
      }
      getRangeContent(range) {
        if (range === null) {
          return null;
        }
        return this.document.getText().substring(this.document.offsetAt(range.start), this.document.offsetAt(range.end));
      }
      getInstructionRange() {
        return this.instructionRange;
      }
      getInstruction() {
        return this.instruction;
      }
      getKeyword() {
        return this.getInstruction().toUpperCase();
      }
      getArgumentsRange() {
        let args = this.getArguments();
        if (args.length === 0) {
          return null;
        }
        return vscode_languageserver_types_1.Range.create(args[0].getRange().start, args[args.length - 1].getRange().end);
      }
      getArgumentsRanges() {
        let args = this.getArguments();
        if (args.length === 0) {
          return [];
        }
        if (args[0].getRange().start.line === args[args.length - 1].getRange().end.line) {
          return [vscode_languageserver_types_1.Range.create(args[0].getRange().start, args[args.length - 1].getRange().end)];
        }
        let ranges = [];
        let end = -1;
        let startPosition = args[0].getRange().start;
        let range = this.getInstructionRange();
        let extra = this.document.offsetAt(startPosition) - this.document.offsetAt(range.start);
        let content = this.getTextContent();
        let fullArgs = content.substring(extra, this.document.offsetAt(args[args.length - 1].getRange().end) - this.document.offsetAt(range.start));
        let offset = this.document.offsetAt(range.start) + extra;
        let start = false;
        let comment = false;
        for (let i = 0; i < fullArgs.length; i++) {
          let char = fullArgs.charAt(i);
          if (char === this.escapeChar) {
            let next = fullArgs.charAt(i + 1);
            if (next === " " || next === "	") {
              whitespaceCheck: for (let j = i + 2; j < fullArgs.length; j++) {
                switch (fullArgs.charAt(j)) {
                  case " ":
                  case "	":
                    continue;
                  case "\r":
                    j++;
                  case "\n":
                    if (startPosition !== null) {
                      ranges.push(vscode_languageserver_types_1.Range.create(startPosition, this.document.positionAt(offset + end + 1)));
                    }
                    startPosition = null;
                    start = true;
                    comment = false;
                    i = j;
                    break whitespaceCheck;
                  default:
                    break whitespaceCheck;
                }
              }
            } else if (next === "\r") {
              if (startPosition !== null) {
                ranges.push(vscode_languageserver_types_1.Range.create(startPosition, this.document.positionAt(offset + end + 1)));
                startPosition = null;
              }
              start = true;
              comment = false;
              i += 2;
            } else if (next === "\n") {
              if (startPosition !== null) {
                ranges.push(vscode_languageserver_types_1.Range.create(startPosition, this.document.positionAt(offset + end + 1)));
              }
              startPosition = null;
              start = true;
              comment = false;
              i++;
            } else {
              i++;
            }
          } else if (util_1.Util.isNewline(char)) {
            if (comment) {
              startPosition = null;
              start = true;
              comment = false;
            }
          } else {
            if (!comment) {
              if (startPosition === null) {
                if (char === "#") {
                  comment = true;
                  continue;
                }
                let position = this.document.positionAt(offset + i);
                if (position.character !== 0) {
                  startPosition = vscode_languageserver_types_1.Position.create(position.line, 0);
                }
              }
              end = i;
            }
          }
        }
        if (startPosition === null) {
          ranges.push(vscode_languageserver_types_1.Range.create(this.document.positionAt(offset + end), this.document.positionAt(offset + end + 1)));
        } else {
          ranges.push(vscode_languageserver_types_1.Range.create(startPosition, this.document.positionAt(offset + end + 1)));
        }
        return ranges;
      }
      getRawArgumentsContent() {
        let args = this.getArguments();
        if (args.length === 0) {
          return null;
        }
        return this.getRangeContent(vscode_languageserver_types_1.Range.create(args[0].getRange().start, args[args.length - 1].getRange().end));
      }
      getArgumentsContent() {
        let args = this.getArguments();
        if (args.length === 0) {
          return null;
        }
        let content = "";
        let ranges = this.getArgumentsRanges();
        let documentText = this.document.getText();
        for (let range of ranges) {
          content += documentText.substring(this.document.offsetAt(range.start), this.document.offsetAt(range.end));
        }
        return content;
      }
      getArguments() {
        return this.getRawArguments();
      }
      getRawArguments() {
        let args = [];
        let range = this.getInstructionRange();
        let extra = this.document.offsetAt(range.end) - this.document.offsetAt(range.start);
        let content = this.getTextContent();
        let fullArgs = content.substring(extra);
        let offset = this.document.offsetAt(range.start) + extra;
        let start = false;
        let comment = false;
        let found = -1;
        let escapedWhitespaceDetected = false;
        let escaping = false;
        let escapeMarker = -1;
        let escapedArg = "";
        for (let i = 0; i < fullArgs.length; i++) {
          let char = fullArgs.charAt(i);
          if (util_1.Util.isWhitespace(char)) {
            if (escaping) {
              escapedWhitespaceDetected = true;
              if (util_1.Util.isNewline(char)) {
                escapedWhitespaceDetected = false;
                if (comment) {
                  comment = false;
                  start = true;
                }
              }
              continue;
            } else if (found !== -1) {
              if (escapeMarker === -1) {
                args.push(new argument_1.Argument(escapedArg, vscode_languageserver_types_1.Range.create(this.document.positionAt(offset + found), this.document.positionAt(offset + i))));
              } else {
                args.push(new argument_1.Argument(escapedArg, vscode_languageserver_types_1.Range.create(this.document.positionAt(offset + found), this.document.positionAt(offset + escapeMarker))));
              }
              escapeMarker = -1;
              escapedArg = "";
              found = -1;
            }
          } else if (char === this.escapeChar) {
            let next = fullArgs.charAt(i + 1);
            if (next === " " || next === "	") {
              whitespaceCheck: for (let j = i + 2; j < fullArgs.length; j++) {
                let newlineCheck = fullArgs.charAt(j);
                switch (newlineCheck) {
                  case " ":
                  case "	":
                    continue;
                  case "\r":
                    j++;
                  case "\n":
                    comment = false;
                    escaping = true;
                    start = true;
                    if (found !== -1) {
                      escapeMarker = i;
                    }
                    i = j;
                    break whitespaceCheck;
                  default:
                    escapeMarker = i;
                    if (found === -1) {
                      i = j - 1;
                    }
                    break whitespaceCheck;
                }
              }
            } else if (next === "\r") {
              comment = false;
              escaping = true;
              start = true;
              if (found !== -1 && escapeMarker === -1) {
                escapeMarker = i;
              }
              i += 2;
            } else if (next === "\n") {
              comment = false;
              escaping = true;
              start = true;
              if (found !== -1 && escapeMarker === -1) {
                escapeMarker = i;
              }
              i++;
            } else {
              if (escapedWhitespaceDetected && escapeMarker !== -1) {
                args.push(new argument_1.Argument(escapedArg, vscode_languageserver_types_1.Range.create(this.document.positionAt(offset + found), this.document.positionAt(offset + escapeMarker))));
                escapedArg = "";
                found = -1;
              }
              escapeMarker = -1;
              escapedWhitespaceDetected = false;
              escaping = false;
              if (next === "$") {
                escapedArg = escapedArg + char + next;
              } else if (next === "") {
                break;
              } else {
                escapedArg = escapedArg + next;
              }
              if (found === -1) {
                found = i;
              }
              i++;
            }
          } else if (!comment) {
            if (start && char === "#") {
              comment = true;
            } else {
              if (escapedWhitespaceDetected && escapeMarker !== -1) {
                args.push(new argument_1.Argument(escapedArg, vscode_languageserver_types_1.Range.create(this.document.positionAt(offset + found), this.document.positionAt(offset + escapeMarker))));
                escapedArg = "";
                found = -1;
              }
              escapedWhitespaceDetected = false;
              escaping = false;
              escapeMarker = -1;
              escapedArg = escapedArg + char;
              if (found === -1) {
                found = i;
              }
            }
            start = false;
          }
        }
        if (found !== -1) {
          if (escapeMarker === -1) {
            args.push(new argument_1.Argument(escapedArg, vscode_languageserver_types_1.Range.create(this.document.positionAt(offset + found), this.document.positionAt(offset + fullArgs.length))));
          } else {
            args.push(new argument_1.Argument(escapedArg, vscode_languageserver_types_1.Range.create(this.document.positionAt(offset + found), this.document.positionAt(offset + escapeMarker))));
          }
        }
        return args;
      }
      getExpandedArguments() {
        let args = this.getArguments();
        for (let i = 0; i < args.length; i++) {
          const argRange = args[i].getRange();
          let offset = this.document.offsetAt(argRange.start);
          const variables = this.parseVariables(offset, args[i].getValue());
          const swaps = [];
          let requiresExpansion = false;
          for (let variable of variables) {
            const value = this.dockerfile.resolveVariable(variable.getName(), variable.getNameRange().start.line);
            swaps.push(value);
            requiresExpansion = requiresExpansion || value !== void 0;
          }
          if (requiresExpansion) {
            let expanded = "";
            for (let j = 0; j < swaps.length; j++) {
              const variableRange = variables[j].getRange();
              const start = this.document.offsetAt(variableRange.start);
              const end = this.document.offsetAt(variableRange.end);
              if (swaps[j]) {
                expanded += this.document.getText().substring(offset, start);
                expanded += swaps[j];
                offset = end;
              } else {
                expanded += this.document.getText().substring(offset, end);
                offset = end;
              }
            }
            const argEnd = this.document.offsetAt(argRange.end);
            if (argEnd !== offset) {
              expanded += this.document.getText().substring(offset, argEnd);
            }
            args[i] = new argument_1.Argument(expanded, argRange);
          }
        }
        return args;
      }
      getVariables() {
        const variables = [];
        const args = this.getRawArguments();
        for (const arg of args) {
          let range = arg.getRange();
          let rawValue = this.document.getText().substring(this.document.offsetAt(range.start), this.document.offsetAt(range.end));
          const parsedVariables = this.parseVariables(this.document.offsetAt(arg.getRange().start), rawValue);
          for (const parsedVariable of parsedVariables) {
            variables.push(parsedVariable);
          }
        }
        return variables;
      }
      parseVariables(offset, arg) {
        let variables = [];
        variableLoop: for (let i = 0; i < arg.length; i++) {
          switch (arg.charAt(i)) {
            case this.escapeChar:
              if (arg.charAt(i + 1) === "$") {
                i++;
              }
              break;
            case "$":
              if (arg.charAt(i + 1) === "{") {
                let escapedString = "${";
                let escapedName = "";
                let nameEnd = -1;
                let escapedSubstitutionParameter = "";
                let substitutionStart = -1;
                let substitutionEnd = -1;
                let modifierRead = -1;
                nameLoop: for (let j = i + 2; j < arg.length; j++) {
                  let char = arg.charAt(j);
                  switch (char) {
                    case this.escapeChar:
                      for (let k = j + 1; k < arg.length; k++) {
                        switch (arg.charAt(k)) {
                          case " ":
                          case "	":
                          case "\r":
                            continue;
                          case "\n":
                            j = k;
                            continue nameLoop;
                        }
                      }
                      break;
                    case "}":
                      escapedString += "}";
                      let modifier = null;
                      let modifierRange = null;
                      let substitutionParameter = modifierRead !== -1 ? escapedSubstitutionParameter : null;
                      let substitutionRange = null;
                      if (nameEnd === -1) {
                        nameEnd = j;
                      } else if (nameEnd + 1 === j) {
                        modifier = "";
                        modifierRange = vscode_languageserver_types_1.Range.create(this.document.positionAt(offset + nameEnd + 1), this.document.positionAt(offset + nameEnd + 1));
                      } else {
                        if (substitutionStart === -1) {
                          substitutionStart = modifierRead + 1;
                          substitutionEnd = modifierRead + 1;
                        } else {
                          substitutionEnd = substitutionEnd + 1;
                        }
                        modifier = arg.substring(modifierRead, modifierRead + 1);
                        modifierRange = vscode_languageserver_types_1.Range.create(this.document.positionAt(offset + modifierRead), this.document.positionAt(offset + modifierRead + 1));
                        substitutionRange = vscode_languageserver_types_1.Range.create(this.document.positionAt(offset + substitutionStart), this.document.positionAt(offset + substitutionEnd));
                      }
                      let start = this.document.positionAt(offset + i);
                      variables.push(new variable_1.Variable(escapedName, vscode_languageserver_types_1.Range.create(this.document.positionAt(offset + i + 2), this.document.positionAt(offset + nameEnd)), vscode_languageserver_types_1.Range.create(start, this.document.positionAt(offset + j + 1)), modifier, modifierRange, substitutionParameter, substitutionRange, this.dockerfile.resolveVariable(escapedName, start.line) !== void 0, this.isBuildVariable(escapedName, start.line), escapedString));
                      i = j;
                      continue variableLoop;
                    case ":":
                      if (nameEnd === -1) {
                        nameEnd = j;
                      } else if (modifierRead !== -1) {
                        if (substitutionStart === -1) {
                          substitutionStart = j;
                          substitutionEnd = j;
                        } else {
                          substitutionEnd = j;
                        }
                        escapedSubstitutionParameter += ":";
                      } else {
                        modifierRead = j;
                      }
                      escapedString += ":";
                      break;
                    case "\n":
                    case "\r":
                    case " ":
                    case "	":
                      break;
                    default:
                      if (nameEnd === -1) {
                        escapedName += char;
                      } else if (modifierRead !== -1) {
                        if (substitutionStart === -1) {
                          substitutionStart = j;
                          substitutionEnd = j;
                        } else {
                          substitutionEnd = j;
                        }
                        escapedSubstitutionParameter += char;
                      } else {
                        modifierRead = j;
                      }
                      escapedString += char;
                      break;
                  }
                }
                break variableLoop;
              } else if (util_1.Util.isWhitespace(arg.charAt(i + 1)) || i === arg.length - 1) {
                continue;
              } else {
                let escapedName = "";
                nameLoop: for (let j = i + 1; j < arg.length; j++) {
                  let char = arg.charAt(j);
                  switch (char) {
                    case "\r":
                    case "\n":
                    case " ":
                    case "	":
                      continue;
                    case "$":
                    case "'":
                    case '"':
                      let varStart = this.document.positionAt(offset + i);
                      variables.push(new variable_1.Variable(escapedName, vscode_languageserver_types_1.Range.create(this.document.positionAt(offset + i + 1), this.document.positionAt(offset + j)), vscode_languageserver_types_1.Range.create(varStart, this.document.positionAt(offset + j)), null, null, null, null, this.dockerfile.resolveVariable(escapedName, varStart.line) !== void 0, this.isBuildVariable(escapedName, varStart.line), "$" + escapedName));
                      i = j - 1;
                      continue variableLoop;
                    case this.escapeChar:
                      for (let k = j + 1; k < arg.length; k++) {
                        switch (arg.charAt(k)) {
                          case " ":
                          case "	":
                          case "\r":
                            continue;
                          case "\n":
                            j = k;
                            continue nameLoop;
                        }
                      }
                      let start2 = this.document.positionAt(offset + i);
                      variables.push(new variable_1.Variable(escapedName, vscode_languageserver_types_1.Range.create(this.document.positionAt(offset + i + 1), this.document.positionAt(offset + j)), vscode_languageserver_types_1.Range.create(start2, this.document.positionAt(offset + j)), null, null, null, null, this.dockerfile.resolveVariable(escapedName, start2.line) !== void 0, this.isBuildVariable(escapedName, start2.line), "$" + escapedName));
                      break variableLoop;
                  }
                  if (char.match(/^[a-z0-9_]+$/i) === null) {
                    let varStart = this.document.positionAt(offset + i);
                    variables.push(new variable_1.Variable(escapedName, vscode_languageserver_types_1.Range.create(this.document.positionAt(offset + i + 1), this.document.positionAt(offset + j)), vscode_languageserver_types_1.Range.create(varStart, this.document.positionAt(offset + j)), null, null, null, null, this.dockerfile.resolveVariable(escapedName, varStart.line) !== void 0, this.isBuildVariable(escapedName, varStart.line), "$" + escapedName));
                    i = j - 1;
                    continue variableLoop;
                  }
                  escapedName += char;
                }
                let start = this.document.positionAt(offset + i);
                variables.push(new variable_1.Variable(escapedName, vscode_languageserver_types_1.Range.create(this.document.positionAt(offset + i + 1), this.document.positionAt(offset + arg.length)), vscode_languageserver_types_1.Range.create(start, this.document.positionAt(offset + arg.length)), null, null, null, null, this.dockerfile.resolveVariable(escapedName, start.line) !== void 0, this.isBuildVariable(escapedName, start.line), "$" + escapedName));
              }
              break variableLoop;
          }
        }
        return variables;
      }
      isBuildVariable(variable, line) {
        if (this.getKeyword() === main_1.Keyword.FROM) {
          for (const initialArg of this.dockerfile.getInitialARGs()) {
            const arg = initialArg;
            const property = arg.getProperty();
            if (property && variable === property.getName()) {
              return true;
            }
          }
          return void 0;
        }
        let image = this.dockerfile.getContainingImage(vscode_languageserver_types_1.Position.create(line, 0));
        let envs = image.getENVs();
        for (let i = envs.length - 1; i >= 0; i--) {
          if (envs[i].isBefore(line)) {
            for (let property of envs[i].getProperties()) {
              if (property.getName() === variable) {
                return false;
              }
            }
          }
        }
        let args = image.getARGs();
        for (let i = args.length - 1; i >= 0; i--) {
          if (args[i].isBefore(line)) {
            let property = args[i].getProperty();
            if (property && property.getName() === variable) {
              return true;
            }
          }
        }
        return void 0;
      }
      createSingleLineHeredocs(args) {
        const heredocs = [];
        for (const arg of args) {
          const value = arg.getValue();
          if (value.startsWith("<<") && util_1.Util.parseHeredocName(value) !== null) {
            const startRange = arg.getRange();
            const nameRange = this.getNameRange(startRange);
            const name = this.getName(nameRange);
            heredocs.push(new heredoc_1.Heredoc(startRange, name, nameRange, null, null));
          }
        }
        return heredocs;
      }
      getName(nameRange) {
        const content = this.document.getText(nameRange);
        let escaping = false;
        let name = "";
        nameLoop: for (let i = 0; i < content.length; i++) {
          const ch = content.charAt(i);
          switch (ch) {
            case this.escapeChar:
              escaping = true;
              for (let j = i + 1; j < content.length; j++) {
                switch (content.charAt(j)) {
                  case " ":
                  case "	":
                    break;
                  case "\r":
                    i = j + 1;
                    continue nameLoop;
                  case "\n":
                    i = j;
                    continue nameLoop;
                  default:
                    name += content.charAt(j);
                    i = j;
                    continue nameLoop;
                }
              }
              break;
            case "#":
              if (escaping) {
                for (let j = i + 1; j < content.length; j++) {
                  switch (content.charAt(j)) {
                    case "\n":
                      i = j;
                      continue nameLoop;
                  }
                }
              }
            case " ":
            case "	":
            case "\r":
            case "\n":
              if (escaping) {
                break;
              }
            default:
              name += ch;
              break;
          }
        }
        return name;
      }
      getNameRange(startRange) {
        const content = this.document.getText(startRange);
        let endFound = false;
        let searchHyphen = false;
        let start = -1;
        let end = -1;
        let escaping = false;
        let quote = null;
        contentLoop: for (let i = 0; i < content.length; i++) {
          const ch = content.charAt(i);
          switch (ch) {
            case '"':
            case "'":
              if (quote === ch) {
                break contentLoop;
              }
              quote = ch;
              continue;
            case this.escapeChar:
              for (let j = i + 1; j < content.length; j++) {
                switch (content.charAt(j)) {
                  case "\n":
                    escaping = true;
                    j = i;
                    continue contentLoop;
                }
              }
              break;
            case " ":
            case "	":
            case "\r":
            case "\n":
              break;
            case "<":
              if (endFound) {
                searchHyphen = true;
              } else {
                endFound = true;
              }
              break;
            case "-":
              if (searchHyphen) {
                searchHyphen = false;
                break;
              }
            case "#":
              if (escaping) {
                for (let j = i + 1; j < content.length; j++) {
                  switch (content.charAt(j)) {
                    case "\n":
                      i = j;
                      continue contentLoop;
                  }
                }
              }
            default:
              if (start === -1) {
                start = i;
              }
              if (quote !== null) {
                end = i + 1;
                break;
              }
              break contentLoop;
          }
        }
        if (start === -1) {
          return vscode_languageserver_types_1.Range.create(startRange.end, startRange.end);
        }
        const nameStart = this.document.positionAt(this.document.offsetAt(startRange.start) + start);
        const nameEnd = quote !== null ? this.document.positionAt(this.document.offsetAt(startRange.start) + end) : startRange.end;
        return vscode_languageserver_types_1.Range.create(nameStart, nameEnd);
      }
      getHeredocs() {
        const args = this.getArguments();
        if (args.length === 0) {
          return [];
        }
        const heredocs = [];
        const range = this.getRange();
        if (range.start.line === range.end.line) {
          return this.createSingleLineHeredocs(args);
        }
        const heredocDefinitions = [];
        let heredocsProcessed = false;
        let escaping = false;
        let contentStart = -1;
        let contentEnd = -1;
        let lineStart = -1;
        let currentHeredoc = 0;
        const startOffset = this.document.offsetAt(args[0].getRange().start);
        const content = this.getRangeContent(vscode_languageserver_types_1.Range.create(args[0].getRange().start, this.getRange().end));
        contentLoop: for (let i = 0; i < content.length; i++) {
          switch (content.charAt(i)) {
            case this.escapeChar:
              escaping = true;
              for (let j = i + 1; j < content.length; j++) {
                switch (content.charAt(j)) {
                  case " ":
                  case "	":
                    break;
                  case "\r":
                    j++;
                  case "\n":
                    i = j;
                    continue contentLoop;
                  default:
                    i = j;
                    continue contentLoop;
                }
              }
              break;
            case "\r":
              break;
            case "\n":
              if (escaping) {
                break;
              }
              if (heredocsProcessed) {
                if (contentStart === -1) {
                  contentStart = i;
                }
                contentEnd = i;
                const arg = heredocDefinitions[currentHeredoc];
                const startRange = arg.getRange();
                const nameRange = this.getNameRange(startRange);
                const name = this.getName(nameRange);
                const delimiterRange = this.getDelimiterRange(arg, name, vscode_languageserver_types_1.Range.create(this.document.positionAt(startOffset + lineStart), this.document.positionAt(startOffset + i)));
                if (delimiterRange !== null) {
                  const contentRange = vscode_languageserver_types_1.Range.create(this.document.positionAt(startOffset + contentStart), this.document.positionAt(startOffset + lineStart - 1));
                  heredocs.push(new heredoc_1.Heredoc(startRange, name, nameRange, contentRange, delimiterRange));
                  contentStart = -1;
                  currentHeredoc++;
                }
                lineStart = -1;
              } else {
                const offsetLimit = startOffset + i;
                for (const arg of args) {
                  if (this.document.offsetAt(arg.getRange().start) < offsetLimit) {
                    if (arg.getValue().startsWith("<<")) {
                      heredocDefinitions.push(arg);
                    }
                  } else {
                    break;
                  }
                }
                heredocsProcessed = true;
                lineStart = -1;
                continue contentLoop;
              }
              break;
            case " ":
            case "	":
              if (escaping) {
                break;
              }
            case "#":
              if (escaping) {
                for (let j = i + 1; j < content.length; j++) {
                  switch (content.charAt(j)) {
                    case "\n":
                      i = j;
                      continue contentLoop;
                  }
                }
              }
            default:
              if (escaping) {
                escaping = false;
              }
              if (heredocsProcessed) {
                if (contentStart === -1) {
                  contentStart = i;
                }
                if (lineStart === -1) {
                  lineStart = i;
                }
              }
              break;
          }
        }
        if (heredocsProcessed) {
          const arg = heredocDefinitions[currentHeredoc];
          const startRange = arg.getRange();
          const nameRange = this.getNameRange(startRange);
          const name = this.getName(nameRange);
          let contentRange = null;
          const delimiterRange = this.getDelimiterRange(arg, name, vscode_languageserver_types_1.Range.create(this.document.positionAt(startOffset + lineStart), range.end));
          if (delimiterRange === null) {
            contentRange = vscode_languageserver_types_1.Range.create(this.document.positionAt(startOffset + contentStart), range.end);
          } else if (contentEnd !== -1) {
            contentRange = vscode_languageserver_types_1.Range.create(this.document.positionAt(startOffset + contentStart), this.document.positionAt(startOffset + contentEnd));
          }
          heredocs.push(new heredoc_1.Heredoc(startRange, name, nameRange, contentRange, delimiterRange));
          currentHeredoc++;
          for (let i = currentHeredoc; i < heredocDefinitions.length; i++) {
            const arg2 = heredocDefinitions[currentHeredoc];
            const startRange2 = arg2.getRange();
            const nameRange2 = this.getNameRange(startRange2);
            const name2 = this.getName(nameRange2);
            heredocs.push(new heredoc_1.Heredoc(startRange2, name2, nameRange2, null, null));
            currentHeredoc++;
          }
        } else {
          return this.createSingleLineHeredocs(args);
        }
        return heredocs;
      }
      getDelimiterRange(startArg, name, candidateRange) {
        const text2 = this.document.getText(candidateRange);
        if (startArg.getValue().startsWith("<<-")) {
          let index = 0;
          while (text2.charAt(index) === "	") {
            index++;
          }
          if (text2.substring(index) === name) {
            return vscode_languageserver_types_1.Range.create(vscode_languageserver_types_1.Position.create(candidateRange.start.line, index), candidateRange.end);
          }
          return null;
        }
        return text2 === name ? candidateRange : null;
      }
    };
    exports.Instruction = Instruction;
  }
});

// node_modules/dockerfile-ast/lib/flagOption.js
var require_flagOption = __commonJS({
  "node_modules/dockerfile-ast/lib/flagOption.js"(exports) {
    "use strict";
    Object.defineProperty(exports, "__esModule", { value: true });
    exports.FlagOption = void 0;
    var FlagOption = class {
      constructor(range, name, nameRange, value, valueRange) {
        this.range = range;
        this.name = name;
        this.nameRange = nameRange;
        this.value = value;
        this.valueRange = valueRange;
      }
      toString() {
        if (this.valueRange !== null) {
          return this.name + "=" + this.value;
        }
        return this.name;
      }
      getRange() {
        return this.range;
      }
      getName() {
        return this.name;
      }
      getNameRange() {
        return this.nameRange;
      }
      getValue() {
        return this.value;
      }
      getValueRange() {
        return this.valueRange;
      }
    };
    exports.FlagOption = FlagOption;
  }
});

// node_modules/dockerfile-ast/lib/flag.js
var require_flag = __commonJS({
  "node_modules/dockerfile-ast/lib/flag.js"(exports) {
    "use strict";
    Object.defineProperty(exports, "__esModule", { value: true });
    exports.Flag = void 0;
    var vscode_languageserver_types_1 = (init_main(), __toCommonJS(main_exports));
    var flagOption_1 = require_flagOption();
    var Flag = class {
      constructor(document, range, name, nameRange, value, valueRange) {
        this.options = [];
        this.range = range;
        this.name = name;
        this.nameRange = nameRange;
        this.value = value;
        this.valueRange = valueRange;
        if (this.value !== null) {
          let offset = document.offsetAt(valueRange.start);
          let nameStart = -1;
          let valueStart = -1;
          let hasOptions = false;
          for (let i = 0; i < value.length; i++) {
            switch (value.charAt(i)) {
              case "=":
                hasOptions = true;
                if (valueStart === -1) {
                  valueStart = i + 1;
                  break;
                }
                break;
              case ",":
                this.options.push(this.createFlagOption(document, value, offset, nameStart, valueStart, i));
                nameStart = -1;
                valueStart = -1;
                break;
              default:
                if (nameStart === -1) {
                  nameStart = i;
                }
                break;
            }
          }
          if (hasOptions && nameStart !== -1) {
            this.options.push(this.createFlagOption(document, value, offset, nameStart, valueStart, value.length));
          }
        }
      }
      createFlagOption(document, content, documentOffset, nameStart, valueStart, valueEnd) {
        const optionRange = vscode_languageserver_types_1.Range.create(document.positionAt(documentOffset + nameStart), document.positionAt(documentOffset + valueEnd));
        if (valueStart === -1) {
          return new flagOption_1.FlagOption(optionRange, content.substring(nameStart, valueEnd), optionRange, null, null);
        }
        return new flagOption_1.FlagOption(optionRange, content.substring(nameStart, valueStart - 1), vscode_languageserver_types_1.Range.create(document.positionAt(documentOffset + nameStart), document.positionAt(documentOffset + valueStart - 1)), content.substring(valueStart, valueEnd), vscode_languageserver_types_1.Range.create(document.positionAt(documentOffset + valueStart), document.positionAt(documentOffset + valueEnd)));
      }
      toString() {
        if (this.valueRange) {
          return "--" + this.name + "=" + this.value;
        }
        return "--" + this.name;
      }
      /**
       * Returns the range that encompasses this entire flag. This includes the
       * -- prefix in the beginning to the last character of the flag's value (if
       * it has been defined).
       *
       * @return the entire range of this flag
       */
      getRange() {
        return this.range;
      }
      /**
       * Returns the name of this flag. The name does not include the -- prefix.
       * Thus, for HEALTHCHECK's --interval flag, interval is the flag's name and
       * not --interval.
       *
       * @return this flag's name
       */
      getName() {
        return this.name;
      }
      /**
       * Returns the range that encompasses the flag's name
       *
       * @return the range containing the flag's name
       */
      getNameRange() {
        return this.nameRange;
      }
      /**
       * Returns the value that has been set to this flag. May be null if the
       * flag is invalid and has no value set like a --start-period. If the flag
       * is instead a --start-period= with an equals sign then the flag's value
       * is the empty string.
       *
       * @return this flag's value if it has been defined, null otherwise
       */
      getValue() {
        return this.value;
      }
      /**
       * Returns the range that encompasses this flag's value. If no value has
       * been set then null will be returned.
       *
       * @return the range containing this flag's value, or null if the flag
       *         has no value defined
       */
      getValueRange() {
        return this.valueRange;
      }
      getOption(name) {
        for (const option of this.options) {
          if (option.getName() === name) {
            return option;
          }
        }
        return null;
      }
      getOptions() {
        return this.options;
      }
      hasOptions() {
        return this.options.length > 0;
      }
    };
    exports.Flag = Flag;
  }
});

// node_modules/dockerfile-ast/lib/modifiableInstruction.js
var require_modifiableInstruction = __commonJS({
  "node_modules/dockerfile-ast/lib/modifiableInstruction.js"(exports) {
    "use strict";
    Object.defineProperty(exports, "__esModule", { value: true });
    exports.ModifiableInstruction = void 0;
    var vscode_languageserver_types_1 = (init_main(), __toCommonJS(main_exports));
    var flag_1 = require_flag();
    var instruction_1 = require_instruction();
    var ModifiableInstruction = class extends instruction_1.Instruction {
      constructor(document, range, dockerfile, escapeChar, instruction, instructionRange) {
        super(document, range, dockerfile, escapeChar, instruction, instructionRange);
      }
      getFlags() {
        if (!this.flags) {
          this.flags = [];
          for (let arg of this.getArguments()) {
            let value = arg.getValue();
            if (this.stopSearchingForFlags(value)) {
              return this.flags;
            } else if (value.indexOf("--") === 0) {
              let range = arg.getRange();
              let rawValue = this.document.getText().substring(this.document.offsetAt(range.start), this.document.offsetAt(range.end));
              let nameIndex = value.indexOf("=");
              let index = rawValue.indexOf("=");
              let firstMatch = false;
              let secondMatch = false;
              let startIndex = -1;
              nameSearchLoop: for (let i = 0; i < rawValue.length; i++) {
                switch (rawValue.charAt(i)) {
                  case "\\":
                  case " ":
                  case "	":
                  case "\r":
                  case "\n":
                    break;
                  case "-":
                    if (secondMatch) {
                      startIndex = i;
                      break nameSearchLoop;
                    } else if (firstMatch) {
                      secondMatch = true;
                    } else {
                      firstMatch = true;
                    }
                    break;
                  default:
                    startIndex = i;
                    break nameSearchLoop;
                }
              }
              let nameStart = this.document.positionAt(this.document.offsetAt(range.start) + startIndex);
              if (index === -1) {
                this.flags.push(new flag_1.Flag(this.document, range, value.substring(2), vscode_languageserver_types_1.Range.create(nameStart, range.end), null, null));
              } else if (index === value.length - 1) {
                let nameEnd = this.document.positionAt(this.document.offsetAt(range.start) + index);
                this.flags.push(new flag_1.Flag(this.document, range, value.substring(2, index), vscode_languageserver_types_1.Range.create(nameStart, nameEnd), "", vscode_languageserver_types_1.Range.create(range.end, range.end)));
              } else {
                let nameEnd = this.document.positionAt(this.document.offsetAt(range.start) + index);
                this.flags.push(new flag_1.Flag(this.document, range, value.substring(2, nameIndex), vscode_languageserver_types_1.Range.create(nameStart, nameEnd), value.substring(nameIndex + 1), vscode_languageserver_types_1.Range.create(this.document.positionAt(this.document.offsetAt(range.start) + index + 1), range.end)));
              }
            }
          }
        }
        return this.flags;
      }
      getArguments() {
        const args = super.getArguments();
        const flags = this.getFlags();
        if (flags.length === 0) {
          return args;
        }
        for (let i = 0; i < flags.length; i++) {
          args.shift();
        }
        return args;
      }
    };
    exports.ModifiableInstruction = ModifiableInstruction;
  }
});

// node_modules/dockerfile-ast/lib/jsonInstruction.js
var require_jsonInstruction = __commonJS({
  "node_modules/dockerfile-ast/lib/jsonInstruction.js"(exports) {
    "use strict";
    Object.defineProperty(exports, "__esModule", { value: true });
    exports.JSONInstruction = void 0;
    var vscode_languageserver_types_1 = (init_main(), __toCommonJS(main_exports));
    var argument_1 = require_argument();
    var jsonArgument_1 = require_jsonArgument();
    var modifiableInstruction_1 = require_modifiableInstruction();
    var JSONInstruction = class extends modifiableInstruction_1.ModifiableInstruction {
      constructor(document, range, dockerfile, escapeChar, instruction, instructionRange) {
        super(document, range, dockerfile, escapeChar, instruction, instructionRange);
        this.openingBracket = null;
        this.closingBracket = null;
        this.jsonStrings = [];
        const argsContent = this.getRawArgumentsContent();
        if (argsContent === null) {
          return;
        }
        const args = this.getArguments();
        if (args.length === 1 && args[0].getValue() === "[]") {
          let argRange = args[0].getRange();
          this.openingBracket = new argument_1.Argument("[", vscode_languageserver_types_1.Range.create(argRange.start.line, argRange.start.character, argRange.start.line, argRange.start.character + 1));
          this.closingBracket = new argument_1.Argument("]", vscode_languageserver_types_1.Range.create(argRange.start.line, argRange.start.character + 1, argRange.end.line, argRange.end.character));
          return;
        } else if (args.length === 2 && args[0].getValue() === "[" && args[1].getValue() === "]") {
          this.openingBracket = args[0];
          this.closingBracket = args[1];
          return;
        }
        const argsOffset = document.offsetAt(this.getArgumentsRange().start);
        let start = -1;
        let last = "";
        let quoted = false;
        let escapedArg = "";
        argsCheck: for (let i = 0; i < argsContent.length; i++) {
          let char = argsContent.charAt(i);
          switch (char) {
            case "[":
              if (last === "") {
                this.openingBracket = new argument_1.Argument("[", vscode_languageserver_types_1.Range.create(document.positionAt(argsOffset + i), document.positionAt(argsOffset + i + 1)));
                last = "[";
              } else if (quoted) {
                escapedArg = escapedArg + char;
              } else {
                break argsCheck;
              }
              break;
            case '"':
              if (last === "[" || last === ",") {
                start = i;
                quoted = true;
                last = '"';
                escapedArg = escapedArg + char;
                continue;
              } else if (last === '"') {
                if (quoted) {
                  escapedArg = escapedArg + char;
                  quoted = false;
                  this.jsonStrings.push(new jsonArgument_1.JSONArgument(escapedArg, vscode_languageserver_types_1.Range.create(document.positionAt(argsOffset + start), document.positionAt(argsOffset + i + 1)), vscode_languageserver_types_1.Range.create(document.positionAt(argsOffset + start + 1), document.positionAt(argsOffset + i))));
                  escapedArg = "";
                } else {
                  break argsCheck;
                }
              } else {
                break argsCheck;
              }
              break;
            case ",":
              if (quoted) {
                escapedArg = escapedArg + char;
              } else {
                if (last === '"') {
                  last = ",";
                } else {
                  break argsCheck;
                }
              }
              break;
            case "]":
              if (quoted) {
                escapedArg = escapedArg + char;
              } else if (last !== "") {
                this.closingBracket = new argument_1.Argument("]", vscode_languageserver_types_1.Range.create(document.positionAt(argsOffset + i), document.positionAt(argsOffset + i + 1)));
                break argsCheck;
              }
              break;
            case " ":
            case "	":
              break;
            case "\\":
              if (quoted) {
                switch (argsContent.charAt(i + 1)) {
                  case '"':
                  case "\\":
                    escapedArg = escapedArg + argsContent.charAt(i + 1);
                    i++;
                    continue;
                  case " ":
                  case "	":
                    escapeCheck: for (let j = i + 2; j < argsContent.length; j++) {
                      switch (argsContent.charAt(j)) {
                        case "\r":
                          j++;
                        case "\n":
                          i = j;
                          continue argsCheck;
                        case " ":
                        case "	":
                          break;
                        default:
                          break escapeCheck;
                      }
                    }
                    break;
                  case "\r":
                    i++;
                  default:
                    i++;
                    continue;
                }
              } else {
                escapeCheck: for (let j = i + 1; j < argsContent.length; j++) {
                  switch (argsContent.charAt(j)) {
                    case "\r":
                      j++;
                    case "\n":
                      i = j;
                      continue argsCheck;
                    case " ":
                    case "	":
                      break;
                    default:
                      break escapeCheck;
                  }
                }
              }
              break argsCheck;
            default:
              if (!quoted) {
                break argsCheck;
              }
              escapedArg = escapedArg + char;
              break;
          }
        }
      }
      stopSearchingForFlags(_value) {
        return true;
      }
      getOpeningBracket() {
        return this.openingBracket;
      }
      getJSONStrings() {
        return this.jsonStrings;
      }
      getClosingBracket() {
        return this.closingBracket;
      }
    };
    exports.JSONInstruction = JSONInstruction;
  }
});

// node_modules/dockerfile-ast/lib/instructions/add.js
var require_add = __commonJS({
  "node_modules/dockerfile-ast/lib/instructions/add.js"(exports) {
    "use strict";
    Object.defineProperty(exports, "__esModule", { value: true });
    exports.Add = void 0;
    var jsonInstruction_1 = require_jsonInstruction();
    var Add = class extends jsonInstruction_1.JSONInstruction {
      constructor(document, range, dockerfile, escapeChar, instruction, instructionRange) {
        super(document, range, dockerfile, escapeChar, instruction, instructionRange);
      }
      stopSearchingForFlags(argument) {
        return argument.indexOf("--") === -1;
      }
    };
    exports.Add = Add;
  }
});

// node_modules/dockerfile-ast/lib/property.js
var require_property = __commonJS({
  "node_modules/dockerfile-ast/lib/property.js"(exports) {
    "use strict";
    Object.defineProperty(exports, "__esModule", { value: true });
    exports.Property = void 0;
    var vscode_languageserver_types_1 = (init_main(), __toCommonJS(main_exports));
    var util_1 = require_util();
    var Property = class _Property {
      constructor(document, escapeChar, arg, arg2) {
        this.assignmentOperatorRange = null;
        this.assignmentOperator = null;
        this.valueRange = null;
        this.value = null;
        this.document = document;
        this.escapeChar = escapeChar;
        this.nameRange = _Property.getNameRange(document, arg);
        let value = document.getText().substring(document.offsetAt(this.nameRange.start), document.offsetAt(this.nameRange.end));
        this.name = _Property.getValue(value, escapeChar);
        if (arg2) {
          this.valueRange = arg2.getRange();
          value = document.getText().substring(document.offsetAt(this.valueRange.start), document.offsetAt(this.valueRange.end));
          this.value = _Property.getValue(value, escapeChar);
          this.range = vscode_languageserver_types_1.Range.create(this.nameRange.start, this.valueRange.end);
        } else {
          let argRange = arg.getRange();
          if (this.nameRange.start.line === argRange.start.line && this.nameRange.start.character === argRange.start.character && this.nameRange.end.line === argRange.end.line && this.nameRange.end.character === argRange.end.character) {
          } else {
            this.valueRange = _Property.getValueRange(document, arg);
            value = document.getText().substring(document.offsetAt(this.valueRange.start), document.offsetAt(this.valueRange.end));
            this.value = _Property.getValue(value, escapeChar);
            this.assignmentOperatorRange = vscode_languageserver_types_1.Range.create(this.nameRange.end, this.valueRange.start);
            this.assignmentOperator = "=";
          }
          this.range = argRange;
        }
      }
      getRange() {
        return this.range;
      }
      getName() {
        return this.name;
      }
      getNameRange() {
        return this.nameRange;
      }
      getValue() {
        return this.value;
      }
      getValueRange() {
        return this.valueRange;
      }
      /**
       * Retrieves the operator used for delimiting between the name and
       * value of this property. This will either be the "=" character
       * or null if a character was not used or if this property has no
       * value defined.
       */
      getAssignmentOperator() {
        return this.assignmentOperator;
      }
      getAssignmentOperatorRange() {
        return this.assignmentOperatorRange;
      }
      /**
       * Returns the value of this property including any enclosing
       * single or double quotes and relevant escape characters.
       * Escaped newlines and its associated contiguous whitespace
       * characters however will not be returned as they are deemed to
       * be uninteresting to clients trying to return a Dockerfile.
       *
       * @return the unescaped value of this property or null if this
       *         property has no associated value
       */
      getUnescapedValue() {
        if (this.valueRange === null) {
          return null;
        }
        let escaped = false;
        let rawValue = "";
        let value = this.document.getText().substring(this.document.offsetAt(this.valueRange.start), this.document.offsetAt(this.valueRange.end));
        rawLoop: for (let i = 0; i < value.length; i++) {
          let char = value.charAt(i);
          switch (char) {
            case this.escapeChar:
              for (let j = i + 1; j < value.length; j++) {
                switch (value.charAt(j)) {
                  case "\r":
                    j++;
                  case "\n":
                    escaped = true;
                    i = j;
                    continue rawLoop;
                  case " ":
                  case "	":
                    break;
                  default:
                    rawValue = rawValue + char;
                    continue rawLoop;
                }
              }
              rawValue = rawValue + char;
              break;
            case "\r":
            case "\n":
              break;
            case " ":
            case "	":
              if (!escaped) {
                rawValue = rawValue + char;
              }
              break;
            case "#":
              if (escaped) {
                for (let j = i + 1; j < value.length; j++) {
                  switch (value.charAt(j)) {
                    case "\r":
                      j++;
                    case "\n":
                      i = j;
                      continue rawLoop;
                  }
                }
              } else {
                rawValue = rawValue + char;
              }
              break;
            default:
              rawValue = rawValue + char;
              escaped = false;
              break;
          }
        }
        return rawValue;
      }
      static getNameRange(document, arg) {
        let value = arg.getValue();
        let index = value.indexOf("=");
        if (index !== -1) {
          let initial = value.charAt(0);
          let before = value.charAt(index - 1);
          if (initial === '"' && before === '"' || initial === "'" && before === "'" || initial !== '"' && initial !== "'") {
            return vscode_languageserver_types_1.Range.create(arg.getRange().start, document.positionAt(document.offsetAt(arg.getRange().start) + index));
          }
        }
        return arg.getRange();
      }
      static getValueRange(document, arg) {
        return vscode_languageserver_types_1.Range.create(document.positionAt(document.offsetAt(arg.getRange().start) + arg.getValue().indexOf("=") + 1), document.positionAt(document.offsetAt(arg.getRange().end)));
      }
      /**
       * Returns the actual value of this key-value pair. The value will
       * have its escape characters removed if applicable. If the value
       * spans multiple lines and there are comments nested within the
       * lines, they too will be removed.
       *
       * @return the value that this key-value pair will actually be, may
       *         be null if no value is defined, may be the empty string
       *         if the value only consists of whitespace
       */
      static getValue(value, escapeChar) {
        let escaped = false;
        const skip = util_1.Util.findLeadingNonWhitespace(value, escapeChar);
        if (skip !== 0 && value.charAt(skip) === "#") {
          escaped = true;
        }
        value = value.substring(skip);
        let first = value.charAt(0);
        let last = value.charAt(value.length - 1);
        let literal = first === "'" || first === '"';
        let inSingle = first === "'" && last === "'";
        let inDouble = false;
        if (first === '"') {
          for (let i = 1; i < value.length; i++) {
            if (value.charAt(i) === escapeChar) {
              i++;
            } else if (value.charAt(i) === '"' && i === value.length - 1) {
              inDouble = true;
            }
          }
        }
        if (inSingle || inDouble) {
          value = value.substring(1, value.length - 1);
        }
        let commentCheck = -1;
        let escapedValue = "";
        let start = 0;
        parseValue: for (let i = 0; i < value.length; i++) {
          let char = value.charAt(i);
          switch (char) {
            case escapeChar:
              if (i + 1 === value.length) {
                escapedValue = escapedValue + escapeChar;
                break parseValue;
              }
              char = value.charAt(i + 1);
              if (char === " " || char === "	") {
                whitespaceCheck: for (let j = i + 2; j < value.length; j++) {
                  let char2 = value.charAt(j);
                  switch (char2) {
                    case " ":
                    case "	":
                      break;
                    case "\r":
                      j++;
                    case "\n":
                      escaped = true;
                      i = j;
                      continue parseValue;
                    default:
                      if (!inDouble && !inSingle && !literal) {
                        if (char2 === escapeChar) {
                          escapedValue = escapedValue + char;
                          i = i + 1;
                        } else {
                          escapedValue = escapedValue + char + char2;
                          i = j;
                        }
                        continue parseValue;
                      }
                      break whitespaceCheck;
                  }
                }
              }
              if (inDouble) {
                if (char === "\r") {
                  escaped = true;
                  i = i + 2;
                } else if (char === "\n") {
                  escaped = true;
                  i++;
                } else if (char !== '"') {
                  if (char === escapeChar) {
                    i++;
                  }
                  escapedValue = escapedValue + escapeChar;
                }
                continue parseValue;
              } else if (inSingle || literal) {
                if (char === "\r") {
                  escaped = true;
                  i = i + 2;
                } else if (char === "\n") {
                  escaped = true;
                  i++;
                } else {
                  escapedValue = escapedValue + escapeChar;
                }
                continue parseValue;
              } else if (char === escapeChar) {
                escapedValue = escapedValue + escapeChar;
                i++;
              } else if (char === "\r") {
                escaped = true;
                i = i + 2;
              } else if (char === "\n") {
                escaped = true;
                i++;
                start = i;
              } else {
                escapedValue = escapedValue + char;
                i++;
              }
              break;
            case " ":
            case "	":
              if (escaped && commentCheck === -1) {
                commentCheck = i;
              }
              escapedValue = escapedValue + char;
              break;
            case "\r":
              i++;
            case "\n":
              if (escaped && commentCheck !== -1) {
                escapedValue = escapedValue.substring(0, escapedValue.length - (i - commentCheck - 1));
                commentCheck = -1;
              }
              break;
            case "#":
              if (escaped) {
                if (commentCheck !== -1) {
                  escapedValue = escapedValue.substring(0, escapedValue.length - (i - commentCheck));
                  commentCheck = -1;
                }
                newlineCheck: for (let j = i + 1; j < value.length; j++) {
                  switch (value.charAt(j)) {
                    case "\r":
                      j++;
                    case "\n":
                      i = j;
                      break newlineCheck;
                  }
                }
                continue parseValue;
              }
            default:
              if (escaped) {
                escaped = false;
                commentCheck = -1;
              }
              escapedValue = escapedValue + char;
              break;
          }
        }
        return escapedValue;
      }
    };
    exports.Property = Property;
  }
});

// node_modules/dockerfile-ast/lib/propertyInstruction.js
var require_propertyInstruction = __commonJS({
  "node_modules/dockerfile-ast/lib/propertyInstruction.js"(exports) {
    "use strict";
    Object.defineProperty(exports, "__esModule", { value: true });
    exports.PropertyInstruction = void 0;
    var vscode_languageserver_types_1 = (init_main(), __toCommonJS(main_exports));
    var instruction_1 = require_instruction();
    var property_1 = require_property();
    var argument_1 = require_argument();
    var util_1 = require_util();
    var PropertyInstruction = class extends instruction_1.Instruction {
      constructor(document, range, dockerfile, escapeChar, instruction, instructionRange) {
        super(document, range, dockerfile, escapeChar, instruction, instructionRange);
        this.properties = void 0;
      }
      getProperties() {
        if (this.properties === void 0) {
          let args = this.getPropertyArguments();
          if (args.length === 0) {
            this.properties = [];
          } else if (args.length === 1) {
            this.properties = [new property_1.Property(this.document, this.escapeChar, args[0])];
          } else if (args.length === 2) {
            if (args[0].getValue().indexOf("=") === -1) {
              this.properties = [new property_1.Property(this.document, this.escapeChar, args[0], args[1])];
            } else {
              this.properties = [
                new property_1.Property(this.document, this.escapeChar, args[0]),
                new property_1.Property(this.document, this.escapeChar, args[1])
              ];
            }
          } else if (args[0].getValue().indexOf("=") === -1) {
            let text2 = this.document.getText();
            let start = args[1].getRange().start;
            let end = args[args.length - 1].getRange().end;
            text2 = text2.substring(this.document.offsetAt(start), this.document.offsetAt(end));
            this.properties = [new property_1.Property(this.document, this.escapeChar, args[0], new argument_1.Argument(text2, vscode_languageserver_types_1.Range.create(args[1].getRange().start, args[args.length - 1].getRange().end)))];
          } else {
            this.properties = [];
            for (let i = 0; i < args.length; i++) {
              this.properties.push(new property_1.Property(this.document, this.escapeChar, args[i]));
            }
          }
        }
        return this.properties;
      }
      /**
       * Goes from the back of the string and returns the first
       * non-whitespace character that is found. If an escape character
       * is found with newline characters, the escape character will
       * not be considered a non-whitespace character and its index in
       * the string will not be returned.
       *
       * @param content the string to search through
       * @return the index in the string for the first non-whitespace
       *         character when searching from the end of the string
       */
      findTrailingNonWhitespace(content) {
        let index = content.length;
        whitespaceCheck: for (let i = content.length - 1; i >= 0; i--) {
          switch (content.charAt(i)) {
            case " ":
            case "	":
              continue;
            case "\n":
              if (content.charAt(i - 1) === "\r") {
                i = i - 1;
              }
            case "\r":
              newlineCheck: for (let j = i - 1; j >= 0; j--) {
                switch (content.charAt(j)) {
                  case " ":
                  case "	":
                  case "\r":
                  case "\n":
                  case this.escapeChar:
                    continue;
                  default:
                    index = j;
                    break newlineCheck;
                }
              }
              break whitespaceCheck;
            default:
              index = i;
              break whitespaceCheck;
          }
        }
        return index;
      }
      getPropertyArguments() {
        const args = [];
        let range = this.getInstructionRange();
        let instructionNameEndOffset = this.document.offsetAt(range.end);
        let extra = instructionNameEndOffset - this.document.offsetAt(range.start);
        let content = this.getTextContent();
        let fullArgs = content.substring(extra);
        let start = util_1.Util.findLeadingNonWhitespace(fullArgs, this.escapeChar);
        if (start === -1) {
          return [];
        }
        const startPosition = this.document.positionAt(instructionNameEndOffset + start);
        let escaped = range.start.line !== startPosition.line;
        let endingEscape = false;
        let mark = -1;
        let end = this.findTrailingNonWhitespace(fullArgs);
        content = fullArgs.substring(start, end + 1);
        let argStart = escaped ? -1 : 0;
        let spaced = false;
        argumentLoop: for (let i = 0; i < content.length; i++) {
          let char = content.charAt(i);
          switch (char) {
            case this.escapeChar:
              if (i + 1 === content.length) {
                endingEscape = true;
                break argumentLoop;
              }
              if (!escaped) {
                mark = i;
              }
              switch (content.charAt(i + 1)) {
                case " ":
                case "	":
                  if (!util_1.Util.isWhitespace(content.charAt(i + 2))) {
                    i = i + 1;
                    continue argumentLoop;
                  }
                  whitespaceCheck: for (let j = i + 2; j < content.length; j++) {
                    switch (content.charAt(j)) {
                      case "\r":
                        j++;
                      case "\n":
                        escaped = true;
                        i = j;
                        continue argumentLoop;
                      case " ":
                      case "	":
                        break;
                      default:
                        args.push(new argument_1.Argument(content.substring(argStart, i), vscode_languageserver_types_1.Range.create(this.document.positionAt(instructionNameEndOffset + start + argStart), this.document.positionAt(instructionNameEndOffset + start + i + 2))));
                        argStart = j;
                        break whitespaceCheck;
                    }
                  }
                  i = argStart - 1;
                  continue argumentLoop;
                case "\r":
                  i++;
                case "\n":
                  escaped = true;
                  i = i + 1;
                  continue argumentLoop;
                case this.escapeChar:
                  if (argStart === -1) {
                    argStart = i;
                  }
                  i = i + 1;
                  continue argumentLoop;
                default:
                  if (argStart === -1) {
                    argStart = i;
                  }
                  continue argumentLoop;
              }
            case "'":
            case '"':
              if (spaced) {
                this.createSpacedArgument(argStart, args, content, mark, instructionNameEndOffset, start);
                argStart = i;
                spaced = false;
              }
              if (argStart === -1) {
                argStart = i;
              }
              for (let j = i + 1; j < content.length; j++) {
                switch (content.charAt(j)) {
                  case char:
                    if (content.charAt(j + 1) !== " " && content.charAt(j + 1) !== "") {
                      i = j;
                      continue argumentLoop;
                    }
                    args.push(new argument_1.Argument(content.substring(argStart, j + 1), vscode_languageserver_types_1.Range.create(this.document.positionAt(instructionNameEndOffset + start + argStart), this.document.positionAt(instructionNameEndOffset + start + j + 1))));
                    i = j;
                    argStart = -1;
                    continue argumentLoop;
                  case this.escapeChar:
                    j++;
                    break;
                }
              }
              break argumentLoop;
            case " ":
            case "	":
              if (escaped) {
                if (argStart !== -1) {
                  spaced = true;
                }
              } else if (argStart !== -1) {
                args.push(new argument_1.Argument(content.substring(argStart, i), vscode_languageserver_types_1.Range.create(this.document.positionAt(instructionNameEndOffset + start + argStart), this.document.positionAt(instructionNameEndOffset + start + i))));
                argStart = -1;
              }
              break;
            case "\r":
              i++;
            case "\n":
              spaced = false;
              break;
            case "#":
              if (escaped) {
                for (let j = i + 1; j < content.length; j++) {
                  switch (content.charAt(j)) {
                    case "\r":
                      j++;
                    case "\n":
                      i = j;
                      spaced = false;
                      continue argumentLoop;
                  }
                }
                if (argStart !== -1) {
                  let value = content.substring(argStart, mark);
                  args.push(new argument_1.Argument(value, vscode_languageserver_types_1.Range.create(this.document.positionAt(instructionNameEndOffset + start + argStart), this.document.positionAt(instructionNameEndOffset + start + mark))));
                  argStart = -1;
                }
                break argumentLoop;
              } else if (argStart === -1) {
                argStart = i;
              }
              break;
            default:
              if (spaced) {
                this.createSpacedArgument(argStart, args, content, mark, instructionNameEndOffset, start);
                argStart = i;
                spaced = false;
              }
              escaped = false;
              if (argStart === -1) {
                argStart = i;
              }
              if (char === "$" && content.charAt(i + 1) === "{") {
                let singleQuotes = false;
                let doubleQuotes = false;
                let escaped2 = false;
                for (let j = i + 1; j < content.length; j++) {
                  switch (content.charAt(j)) {
                    case this.escapeChar:
                      escaped2 = true;
                      break;
                    case "\r":
                    case "\n":
                      break;
                    case "'":
                      singleQuotes = !singleQuotes;
                      escaped2 = false;
                      break;
                    case '"':
                      doubleQuotes = !doubleQuotes;
                      escaped2 = false;
                      break;
                    case " ":
                    case "	":
                      if (escaped2 || singleQuotes || doubleQuotes) {
                        break;
                      }
                      i = j - 1;
                      continue argumentLoop;
                    case "}":
                      i = j;
                      continue argumentLoop;
                    default:
                      escaped2 = false;
                      break;
                  }
                }
                break argumentLoop;
              }
              break;
          }
        }
        if (argStart !== -1 && argStart !== content.length) {
          let end2 = endingEscape ? content.length - 1 : content.length;
          let value = content.substring(argStart, end2);
          args.push(new argument_1.Argument(value, vscode_languageserver_types_1.Range.create(this.document.positionAt(instructionNameEndOffset + start + argStart), this.document.positionAt(instructionNameEndOffset + start + end2))));
        }
        return args;
      }
      createSpacedArgument(argStart, args, content, mark, instructionNameEndOffset, start) {
        if (argStart !== -1) {
          args.push(new argument_1.Argument(content.substring(argStart, mark), vscode_languageserver_types_1.Range.create(this.document.positionAt(instructionNameEndOffset + start + argStart), this.document.positionAt(instructionNameEndOffset + start + mark))));
        }
      }
    };
    exports.PropertyInstruction = PropertyInstruction;
  }
});

// node_modules/dockerfile-ast/lib/instructions/arg.js
var require_arg = __commonJS({
  "node_modules/dockerfile-ast/lib/instructions/arg.js"(exports) {
    "use strict";
    Object.defineProperty(exports, "__esModule", { value: true });
    exports.Arg = void 0;
    var property_1 = require_property();
    var propertyInstruction_1 = require_propertyInstruction();
    var Arg = class extends propertyInstruction_1.PropertyInstruction {
      constructor(document, range, dockerfile, escapeChar, instruction, instructionRange) {
        super(document, range, dockerfile, escapeChar, instruction, instructionRange);
        this.property = null;
        const args = this.getPropertyArguments();
        if (args.length === 1) {
          this.property = new property_1.Property(this.document, this.escapeChar, args[0]);
        } else {
          this.property = null;
        }
      }
      /**
       * Returns the variable defined by this ARG. This may be null if
       * this ARG instruction is malformed and has no variable
       * declaration.
       */
      getProperty() {
        return this.property;
      }
    };
    exports.Arg = Arg;
  }
});

// node_modules/dockerfile-ast/lib/instructions/cmd.js
var require_cmd = __commonJS({
  "node_modules/dockerfile-ast/lib/instructions/cmd.js"(exports) {
    "use strict";
    Object.defineProperty(exports, "__esModule", { value: true });
    exports.Cmd = void 0;
    var jsonInstruction_1 = require_jsonInstruction();
    var Cmd = class extends jsonInstruction_1.JSONInstruction {
      constructor(document, range, dockerfile, escapeChar, instruction, instructionRange) {
        super(document, range, dockerfile, escapeChar, instruction, instructionRange);
      }
    };
    exports.Cmd = Cmd;
  }
});

// node_modules/dockerfile-ast/lib/instructions/copy.js
var require_copy = __commonJS({
  "node_modules/dockerfile-ast/lib/instructions/copy.js"(exports) {
    "use strict";
    Object.defineProperty(exports, "__esModule", { value: true });
    exports.Copy = void 0;
    var jsonInstruction_1 = require_jsonInstruction();
    var Copy = class extends jsonInstruction_1.JSONInstruction {
      constructor(document, range, dockerfile, escapeChar, instruction, instructionRange) {
        super(document, range, dockerfile, escapeChar, instruction, instructionRange);
      }
      stopSearchingForFlags(argument) {
        return argument.indexOf("--") === -1;
      }
      getFromFlag() {
        let flags = super.getFlags();
        return flags.length === 1 && flags[0].getName() === "from" ? flags[0] : null;
      }
      /**
       * Returns there here-documents that are defined in this RUN
       * instruction.
       *
       * This API is experimental and subject to change.
       */
      getHeredocs() {
        return super.getHeredocs();
      }
    };
    exports.Copy = Copy;
  }
});

// node_modules/dockerfile-ast/lib/instructions/env.js
var require_env = __commonJS({
  "node_modules/dockerfile-ast/lib/instructions/env.js"(exports) {
    "use strict";
    Object.defineProperty(exports, "__esModule", { value: true });
    exports.Env = void 0;
    var propertyInstruction_1 = require_propertyInstruction();
    var Env = class extends propertyInstruction_1.PropertyInstruction {
      constructor(document, range, dockerfile, escapeChar, instruction, instructionRange) {
        super(document, range, dockerfile, escapeChar, instruction, instructionRange);
      }
      getProperties() {
        return super.getProperties();
      }
    };
    exports.Env = Env;
  }
});

// node_modules/dockerfile-ast/lib/instructions/entrypoint.js
var require_entrypoint = __commonJS({
  "node_modules/dockerfile-ast/lib/instructions/entrypoint.js"(exports) {
    "use strict";
    Object.defineProperty(exports, "__esModule", { value: true });
    exports.Entrypoint = void 0;
    var jsonInstruction_1 = require_jsonInstruction();
    var Entrypoint = class extends jsonInstruction_1.JSONInstruction {
      constructor(document, range, dockerfile, escapeChar, instruction, instructionRange) {
        super(document, range, dockerfile, escapeChar, instruction, instructionRange);
      }
    };
    exports.Entrypoint = Entrypoint;
  }
});

// node_modules/dockerfile-ast/lib/instructions/from.js
var require_from = __commonJS({
  "node_modules/dockerfile-ast/lib/instructions/from.js"(exports) {
    "use strict";
    Object.defineProperty(exports, "__esModule", { value: true });
    exports.From = void 0;
    var vscode_languageserver_types_1 = (init_main(), __toCommonJS(main_exports));
    var modifiableInstruction_1 = require_modifiableInstruction();
    var From = class extends modifiableInstruction_1.ModifiableInstruction {
      constructor(document, range, dockerfile, escapeChar, instruction, instructionRange) {
        super(document, range, dockerfile, escapeChar, instruction, instructionRange);
      }
      stopSearchingForFlags(argument) {
        return argument.indexOf("--") === -1;
      }
      getImage() {
        const args = this.getArguments();
        return args.length > 0 ? args[0].getValue() : null;
      }
      /**
       * Returns the name of the image that will be used as the base image.
       *
       * @return the base image's name, or null if unspecified
       */
      getImageName() {
        const imageName2 = this.getRangeContent(this.getImageNameRange());
        if (imageName2 === null) {
          return null;
        }
        let commented = false;
        let escaped = false;
        let name = "";
        for (let i = 0; i < imageName2.length; i++) {
          const ch = imageName2.charAt(i);
          switch (ch) {
            case this.escapeChar:
              escaped = true;
              break;
            case "\r":
              continue;
            case "\n":
              commented = false;
              break;
            case " ":
            case "	":
              break;
            case "#":
              if (escaped) {
                commented = true;
              } else {
                name = name + ch;
                escaped = false;
              }
              break;
            default:
              if (!commented) {
                name = name + ch;
                escaped = false;
              }
              break;
          }
        }
        return name;
      }
      /**
       * Returns the range that covers the name of the image used by
       * this instruction.
       *
       * @return the range of the name of this instruction's argument,
       *         or null if no image has been specified
       */
      getImageNameRange() {
        let range = this.getImageRange();
        if (range) {
          let registryRange = this.getRegistryRange();
          if (registryRange) {
            range.start = this.document.positionAt(this.document.offsetAt(registryRange.end) + 1);
          }
          let tagRange = this.getImageTagRange();
          let digestRange = this.getImageDigestRange();
          if (tagRange === null) {
            if (digestRange !== null) {
              range.end = this.document.positionAt(this.document.offsetAt(digestRange.start) - 1);
            }
          } else {
            range.end = this.document.positionAt(this.document.offsetAt(tagRange.start) - 1);
          }
          return range;
        }
        return null;
      }
      /**
       * Returns the range that covers the image argument of this
       * instruction. This includes the tag or digest of the image if
       * it has been specified by the instruction.
       *
       * @return the range of the image argument, or null if no image
       *         has been specified
       */
      getImageRange() {
        let args = this.getArguments();
        return args.length !== 0 ? args[0].getRange() : null;
      }
      getImageTag() {
        return this.getRangeContent(this.getImageTagRange());
      }
      /**
       * Returns the range in the document that the tag of the base
       * image encompasses.
       *
       * @return the base image's tag's range in the document, or null
       *         if no tag has been specified
       */
      getImageTagRange() {
        const range = this.getImageRange();
        if (range) {
          const rangeStartOffset = this.document.offsetAt(range.start);
          const content = this.getRangeContent(range);
          const atIndex = this.indexOf(rangeStartOffset, content, "@");
          const slashIndex = content.indexOf("/");
          if (atIndex === -1) {
            const colonIndex = this.lastIndexOf(rangeStartOffset, content, ":");
            if (colonIndex > slashIndex) {
              return vscode_languageserver_types_1.Range.create(this.document.positionAt(rangeStartOffset + colonIndex + 1), range.end);
            }
          }
          const subcontent = content.substring(0, atIndex);
          const subcolonIndex = subcontent.indexOf(":");
          if (subcolonIndex === -1) {
            return null;
          }
          if (slashIndex === -1) {
            return vscode_languageserver_types_1.Range.create(this.document.positionAt(rangeStartOffset + subcolonIndex + 1), this.document.positionAt(rangeStartOffset + atIndex));
          }
          if (subcolonIndex < slashIndex) {
            return null;
          }
          return vscode_languageserver_types_1.Range.create(this.document.positionAt(rangeStartOffset + subcolonIndex + 1), this.document.positionAt(rangeStartOffset + subcontent.length));
        }
        return null;
      }
      getImageDigest() {
        return this.getRangeContent(this.getImageDigestRange());
      }
      /**
       * Returns the range in the document that the digest of the base
       * image encompasses.
       *
       * @return the base image's digest's range in the document, or null
       *         if no digest has been specified
       */
      getImageDigestRange() {
        let range = this.getImageRange();
        if (range) {
          let content = this.getRangeContent(range);
          let index = this.lastIndexOf(this.document.offsetAt(range.start), content, "@");
          if (index !== -1) {
            return vscode_languageserver_types_1.Range.create(range.start.line, range.start.character + index + 1, range.end.line, range.end.character);
          }
        }
        return null;
      }
      indexOf(documentOffset, content, searchString) {
        let index = content.indexOf(searchString);
        const variables = this.getVariables();
        for (let i = 0; i < variables.length; i++) {
          const position = documentOffset + index;
          const variableRange = variables[i].getRange();
          if (this.document.offsetAt(variableRange.start) < position && position < this.document.offsetAt(variableRange.end)) {
            const offset = this.document.offsetAt(variableRange.end) - documentOffset;
            const substring = content.substring(offset);
            const subIndex = substring.indexOf(searchString);
            if (subIndex === -1) {
              return -1;
            }
            index = subIndex + offset;
            i = -1;
            continue;
          }
        }
        return index;
      }
      lastIndexOf(documentOffset, content, searchString) {
        let index = content.lastIndexOf(searchString);
        const variables = this.getVariables();
        for (let i = 0; i < variables.length; i++) {
          const position = documentOffset + index;
          const variableRange = variables[i].getRange();
          if (this.document.offsetAt(variableRange.start) < position && position < this.document.offsetAt(variableRange.end)) {
            index = content.substring(0, index).lastIndexOf(searchString);
            if (index === -1) {
              return -1;
            }
            i = -1;
            continue;
          }
        }
        return index;
      }
      getRegistry() {
        return this.getRangeContent(this.getRegistryRange());
      }
      getRegistryRange() {
        const range = this.getImageRange();
        if (range) {
          const tagRange = this.getImageTagRange();
          const digestRange = this.getImageDigestRange();
          if (tagRange === null) {
            if (digestRange !== null) {
              range.end = this.document.positionAt(this.document.offsetAt(digestRange.start) - 1);
            }
          } else {
            range.end = this.document.positionAt(this.document.offsetAt(tagRange.start) - 1);
          }
          const content = this.getRangeContent(range);
          const rangeStart = this.document.offsetAt(range.start);
          const startingSlashIndex = this.indexOf(rangeStart, content, "/");
          if (startingSlashIndex === -1) {
            return null;
          }
          const portIndex = this.indexOf(rangeStart, content, ":");
          const dotIndex = this.indexOf(rangeStart, content, ".");
          if (portIndex !== -1 || dotIndex !== -1) {
            return vscode_languageserver_types_1.Range.create(range.start, this.document.positionAt(rangeStart + startingSlashIndex));
          }
          const registry = content.substring(0, startingSlashIndex);
          if (registry === "localhost") {
            return vscode_languageserver_types_1.Range.create(range.start, this.document.positionAt(rangeStart + startingSlashIndex));
          }
        }
        return null;
      }
      getBuildStage() {
        let range = this.getBuildStageRange();
        return range === null ? null : this.getRangeContent(range);
      }
      getBuildStageRange() {
        let args = this.getArguments();
        if (args.length > 2 && args[1].getValue().toUpperCase() === "AS") {
          return args[2].getRange();
        }
        return null;
      }
      getPlatformFlag() {
        let flags = super.getFlags();
        return flags.length === 1 && flags[0].getName() === "platform" ? flags[0] : null;
      }
    };
    exports.From = From;
  }
});

// node_modules/dockerfile-ast/lib/instructions/healthcheck.js
var require_healthcheck = __commonJS({
  "node_modules/dockerfile-ast/lib/instructions/healthcheck.js"(exports) {
    "use strict";
    Object.defineProperty(exports, "__esModule", { value: true });
    exports.Healthcheck = void 0;
    var modifiableInstruction_1 = require_modifiableInstruction();
    var Healthcheck = class extends modifiableInstruction_1.ModifiableInstruction {
      constructor(document, range, dockerfile, escapeChar, instruction, instructionRange) {
        super(document, range, dockerfile, escapeChar, instruction, instructionRange);
      }
      stopSearchingForFlags(argument) {
        argument = argument.toUpperCase();
        return argument === "CMD" || argument === "NONE";
      }
      getSubcommand() {
        let args = this.getArguments();
        return args.length !== 0 ? args[0] : null;
      }
    };
    exports.Healthcheck = Healthcheck;
  }
});

// node_modules/dockerfile-ast/lib/instructions/label.js
var require_label = __commonJS({
  "node_modules/dockerfile-ast/lib/instructions/label.js"(exports) {
    "use strict";
    Object.defineProperty(exports, "__esModule", { value: true });
    exports.Label = void 0;
    var propertyInstruction_1 = require_propertyInstruction();
    var util_1 = require_util();
    var Label = class extends propertyInstruction_1.PropertyInstruction {
      constructor(document, range, dockerfile, escapeChar, instruction, instructionRange) {
        super(document, range, dockerfile, escapeChar, instruction, instructionRange);
      }
      getVariables() {
        const variables = super.getVariables();
        const properties = this.getProperties();
        for (const property of properties) {
          const value = property.getUnescapedValue();
          if (value !== null && value.length > 2 && value.charAt(0) === "'" && value.charAt(value.length - 1) === "'") {
            const range = property.getValueRange();
            for (let i = 0; i < variables.length; i++) {
              if (util_1.Util.isInsideRange(variables[i].getRange().start, range)) {
                variables.splice(i, 1);
                i--;
              }
            }
          }
        }
        return variables;
      }
      getProperties() {
        return super.getProperties();
      }
    };
    exports.Label = Label;
  }
});

// node_modules/dockerfile-ast/lib/instructions/onbuild.js
var require_onbuild = __commonJS({
  "node_modules/dockerfile-ast/lib/instructions/onbuild.js"(exports) {
    "use strict";
    Object.defineProperty(exports, "__esModule", { value: true });
    exports.Onbuild = void 0;
    var vscode_languageserver_types_1 = (init_main(), __toCommonJS(main_exports));
    var parser_1 = require_parser();
    var instruction_1 = require_instruction();
    var Onbuild = class extends instruction_1.Instruction {
      constructor(document, range, dockerfile, escapeChar, instruction, instructionRange) {
        super(document, range, dockerfile, escapeChar, instruction, instructionRange);
      }
      getTrigger() {
        let trigger = this.getTriggerWord();
        return trigger === null ? null : trigger.toUpperCase();
      }
      getTriggerWord() {
        return this.getRangeContent(this.getTriggerRange());
      }
      getTriggerRange() {
        let args = this.getArguments();
        return args.length > 0 ? args[0].getRange() : null;
      }
      getTriggerInstruction() {
        let triggerRange = this.getTriggerRange();
        if (triggerRange === null) {
          return null;
        }
        let args = this.getArguments();
        return parser_1.Parser.createInstruction(this.document, this.dockerfile, this.escapeChar, vscode_languageserver_types_1.Range.create(args[0].getRange().start, this.getRange().end), this.getTriggerWord(), triggerRange);
      }
    };
    exports.Onbuild = Onbuild;
  }
});

// node_modules/dockerfile-ast/lib/instructions/run.js
var require_run = __commonJS({
  "node_modules/dockerfile-ast/lib/instructions/run.js"(exports) {
    "use strict";
    Object.defineProperty(exports, "__esModule", { value: true });
    exports.Run = void 0;
    var jsonInstruction_1 = require_jsonInstruction();
    var Run = class extends jsonInstruction_1.JSONInstruction {
      constructor(document, range, dockerfile, escapeChar, instruction, instructionRange) {
        super(document, range, dockerfile, escapeChar, instruction, instructionRange);
      }
      stopSearchingForFlags(argument) {
        return argument.indexOf("--") === -1;
      }
      /**
       * Returns there here-documents that are defined in this RUN
       * instruction.
       *
       * This API is experimental and subject to change.
       */
      getHeredocs() {
        return super.getHeredocs();
      }
    };
    exports.Run = Run;
  }
});

// node_modules/dockerfile-ast/lib/instructions/shell.js
var require_shell = __commonJS({
  "node_modules/dockerfile-ast/lib/instructions/shell.js"(exports) {
    "use strict";
    Object.defineProperty(exports, "__esModule", { value: true });
    exports.Shell = void 0;
    var jsonInstruction_1 = require_jsonInstruction();
    var Shell = class extends jsonInstruction_1.JSONInstruction {
      constructor(document, range, dockerfile, escapeChar, instruction, instructionRange) {
        super(document, range, dockerfile, escapeChar, instruction, instructionRange);
      }
    };
    exports.Shell = Shell;
  }
});

// node_modules/dockerfile-ast/lib/instructions/stopsignal.js
var require_stopsignal = __commonJS({
  "node_modules/dockerfile-ast/lib/instructions/stopsignal.js"(exports) {
    "use strict";
    Object.defineProperty(exports, "__esModule", { value: true });
    exports.Stopsignal = void 0;
    var instruction_1 = require_instruction();
    var Stopsignal = class extends instruction_1.Instruction {
      constructor(document, range, dockerfile, escapeChar, instruction, instructionRange) {
        super(document, range, dockerfile, escapeChar, instruction, instructionRange);
      }
    };
    exports.Stopsignal = Stopsignal;
  }
});

// node_modules/dockerfile-ast/lib/instructions/workdir.js
var require_workdir = __commonJS({
  "node_modules/dockerfile-ast/lib/instructions/workdir.js"(exports) {
    "use strict";
    Object.defineProperty(exports, "__esModule", { value: true });
    exports.Workdir = void 0;
    var instruction_1 = require_instruction();
    var Workdir = class extends instruction_1.Instruction {
      constructor(document, range, dockerfile, escapeChar, instruction, instructionRange) {
        super(document, range, dockerfile, escapeChar, instruction, instructionRange);
      }
      /**
       * Returns the path that has been defined. Note that this path may
       * be absolute or relative depending on what was written in the
       * instruction.
       *
       * @return the working directory's path, or null if this
       *         instruction has no arguments
       */
      getPath() {
        return this.getArgumentsContent();
      }
      /**
       * Returns the absolute path that this instruction resolves to. The
       * function will inspect prior WORKDIR instructions in the current
       * image or another build stage in the Dockerfile to try to
       * determine this.
       *
       * @return the absolute path of the working directory, or null if
       *         this instruction has no arguments, or undefined if it
       *         cannot be determined because only relative paths could be
       *         found
       */
      getAbsolutePath() {
        const path33 = this.getPath();
        if (path33 === null || path33.startsWith("/")) {
          return path33;
        }
        const startLine = this.getRange().start.line;
        const hierarchy = this.dockerfile.getStageHierarchy(startLine);
        for (let i = hierarchy.length - 1; i >= 0; i--) {
          const workdirs = hierarchy[i].getWORKDIRs();
          for (let j = workdirs.length - 1; j >= 0; j--) {
            if (workdirs[j].getRange().start.line < startLine) {
              const parent = workdirs[j].getAbsolutePath();
              if (parent === void 0 || parent === null) {
                return void 0;
              }
              return parent.endsWith("/") ? parent + path33 : parent + "/" + path33;
            }
          }
        }
        return void 0;
      }
    };
    exports.Workdir = Workdir;
  }
});

// node_modules/dockerfile-ast/lib/instructions/user.js
var require_user = __commonJS({
  "node_modules/dockerfile-ast/lib/instructions/user.js"(exports) {
    "use strict";
    Object.defineProperty(exports, "__esModule", { value: true });
    exports.User = void 0;
    var instruction_1 = require_instruction();
    var User = class extends instruction_1.Instruction {
      constructor(document, range, dockerfile, escapeChar, instruction, instructionRange) {
        super(document, range, dockerfile, escapeChar, instruction, instructionRange);
      }
    };
    exports.User = User;
  }
});

// node_modules/dockerfile-ast/lib/instructions/volume.js
var require_volume = __commonJS({
  "node_modules/dockerfile-ast/lib/instructions/volume.js"(exports) {
    "use strict";
    Object.defineProperty(exports, "__esModule", { value: true });
    exports.Volume = void 0;
    var jsonInstruction_1 = require_jsonInstruction();
    var Volume = class extends jsonInstruction_1.JSONInstruction {
      constructor(document, range, dockerfile, escapeChar, instruction, instructionRange) {
        super(document, range, dockerfile, escapeChar, instruction, instructionRange);
      }
    };
    exports.Volume = Volume;
  }
});

// node_modules/dockerfile-ast/lib/imageTemplate.js
var require_imageTemplate = __commonJS({
  "node_modules/dockerfile-ast/lib/imageTemplate.js"(exports) {
    "use strict";
    Object.defineProperty(exports, "__esModule", { value: true });
    exports.ImageTemplate = void 0;
    var vscode_languageserver_types_1 = (init_main(), __toCommonJS(main_exports));
    var arg_1 = require_arg();
    var cmd_1 = require_cmd();
    var copy_1 = require_copy();
    var env_1 = require_env();
    var entrypoint_1 = require_entrypoint();
    var from_1 = require_from();
    var healthcheck_1 = require_healthcheck();
    var onbuild_1 = require_onbuild();
    var util_1 = require_util();
    var workdir_1 = require_workdir();
    var ImageTemplate = class {
      constructor() {
        this.comments = [];
        this.instructions = [];
      }
      addComment(comment) {
        this.comments.push(comment);
      }
      getComments() {
        return this.comments;
      }
      addInstruction(instruction) {
        this.instructions.push(instruction);
      }
      getInstructions() {
        return this.instructions;
      }
      getInstructionAt(line) {
        for (let instruction of this.instructions) {
          if (util_1.Util.isInsideRange(vscode_languageserver_types_1.Position.create(line, 0), instruction.getRange())) {
            return instruction;
          }
        }
        return null;
      }
      /**
       * Gets all the ARG instructions that are defined in this image.
       */
      getARGs() {
        let args = [];
        for (let instruction of this.instructions) {
          if (instruction instanceof arg_1.Arg) {
            args.push(instruction);
          }
        }
        return args;
      }
      /**
       * Gets all the CMD instructions that are defined in this image.
       */
      getCMDs() {
        let cmds = [];
        for (let instruction of this.instructions) {
          if (instruction instanceof cmd_1.Cmd) {
            cmds.push(instruction);
          }
        }
        return cmds;
      }
      /**
       * Gets all the COPY instructions that are defined in this image.
       */
      getCOPYs() {
        let copies2 = [];
        for (let instruction of this.instructions) {
          if (instruction instanceof copy_1.Copy) {
            copies2.push(instruction);
          }
        }
        return copies2;
      }
      /**
       * Gets all the ENTRYPOINT instructions that are defined in this image.
       */
      getENTRYPOINTs() {
        let froms = [];
        for (let instruction of this.instructions) {
          if (instruction instanceof entrypoint_1.Entrypoint) {
            froms.push(instruction);
          }
        }
        return froms;
      }
      /**
       * Gets all the ENV instructions that are defined in this image.
       */
      getENVs() {
        let args = [];
        for (let instruction of this.instructions) {
          if (instruction instanceof env_1.Env) {
            args.push(instruction);
          }
        }
        return args;
      }
      getFROM() {
        for (const instruction of this.instructions) {
          if (instruction instanceof from_1.From) {
            return instruction;
          }
        }
        return null;
      }
      /**
       * Gets all the FROM instructions that are defined in this image.
       */
      getFROMs() {
        let froms = [];
        for (let instruction of this.instructions) {
          if (instruction instanceof from_1.From) {
            froms.push(instruction);
          }
        }
        return froms;
      }
      /**
       * Gets all the HEALTHCHECK instructions that are defined in this image.
       */
      getHEALTHCHECKs() {
        let froms = [];
        for (let instruction of this.instructions) {
          if (instruction instanceof healthcheck_1.Healthcheck) {
            froms.push(instruction);
          }
        }
        return froms;
      }
      getWORKDIRs() {
        const workdirs = [];
        for (const instruction of this.instructions) {
          if (instruction instanceof workdir_1.Workdir) {
            workdirs.push(instruction);
          }
        }
        return workdirs;
      }
      getOnbuildTriggers() {
        let triggers = [];
        for (let instruction of this.instructions) {
          if (instruction instanceof onbuild_1.Onbuild) {
            let trigger = instruction.getTriggerInstruction();
            if (trigger) {
              triggers.push(trigger);
            }
          }
        }
        return triggers;
      }
      getAvailableVariables(currentLine) {
        const variables = [];
        for (const arg of this.getARGs()) {
          if (arg.isBefore(currentLine)) {
            const property = arg.getProperty();
            if (property) {
              const variable = property.getName();
              if (variables.indexOf(variable) === -1) {
                variables.push(variable);
              }
            }
          }
        }
        for (const env of this.getENVs()) {
          if (env.isBefore(currentLine)) {
            for (const property of env.getProperties()) {
              const variable = property.getName();
              if (variables.indexOf(variable) === -1) {
                variables.push(variable);
              }
            }
          }
        }
        return variables;
      }
      /**
       * Resolves a variable with the given name at the specified line
       * to its value. If null is returned, then the variable has been
       * defined but no value was given. If undefined is returned, then
       * a variable with the given name has not been defined yet as of
       * the given line.
       *
       * @param variable the name of the variable to resolve
       * @param line the line number that the variable is on, zero-based
       * @return the value of the variable as defined by an ARG or ENV
       *         instruction, or null if no value has been specified, or
       *         undefined if a variable with the given name has not
       *         been defined
       */
      resolveVariable(variable, line) {
        let envs = this.getENVs();
        for (let i = envs.length - 1; i >= 0; i--) {
          if (envs[i].isBefore(line)) {
            for (let property of envs[i].getProperties()) {
              if (property.getName() === variable) {
                return property.getValue();
              }
            }
          }
        }
        let args = this.getARGs();
        for (let i = args.length - 1; i >= 0; i--) {
          if (args[i].isBefore(line)) {
            let property = args[i].getProperty();
            if (property && property.getName() === variable) {
              return property.getValue();
            }
          }
        }
        return void 0;
      }
      getRange() {
        const instructions = this.getInstructions();
        if (instructions.length === 0) {
          return vscode_languageserver_types_1.Range.create(0, 0, 0, 0);
        }
        const instructionStart = instructions[0].getRange().start;
        const instructionEnd = instructions[instructions.length - 1].getRange().end;
        return vscode_languageserver_types_1.Range.create(instructionStart, instructionEnd);
      }
      contains(position) {
        const range = this.getRange();
        if (range === null) {
          return false;
        }
        return util_1.Util.isInsideRange(position, range);
      }
    };
    exports.ImageTemplate = ImageTemplate;
  }
});

// node_modules/dockerfile-ast/lib/dockerfile.js
var require_dockerfile = __commonJS({
  "node_modules/dockerfile-ast/lib/dockerfile.js"(exports) {
    "use strict";
    Object.defineProperty(exports, "__esModule", { value: true });
    exports.Dockerfile = void 0;
    var vscode_languageserver_types_1 = (init_main(), __toCommonJS(main_exports));
    var ast = require_main();
    var imageTemplate_1 = require_imageTemplate();
    var from_1 = require_from();
    var util_1 = require_util();
    var main_1 = require_main();
    var Dockerfile = class extends imageTemplate_1.ImageTemplate {
      constructor(document) {
        super();
        this.initialInstructions = new imageTemplate_1.ImageTemplate();
        this.buildStages = [];
        this.directives = [];
        this.foundFrom = false;
        this.document = document;
      }
      getEscapeCharacter() {
        for (const directive of this.directives) {
          if (directive.getDirective() === ast.Directive.escape) {
            const value = directive.getValue();
            if (value === "\\" || value === "`") {
              return value;
            }
          }
        }
        return "\\";
      }
      getInitialARGs() {
        return this.initialInstructions.getARGs();
      }
      getContainingImage(position) {
        let range = vscode_languageserver_types_1.Range.create(vscode_languageserver_types_1.Position.create(0, 0), this.document.positionAt(this.document.getText().length));
        if (!util_1.Util.isInsideRange(position, range)) {
          return null;
        }
        if (this.initialInstructions.getComments().length > 0 || this.initialInstructions.getInstructions().length > 0) {
          if (util_1.Util.isInsideRange(position, this.initialInstructions.getRange())) {
            return this.initialInstructions;
          }
        }
        for (const buildStage2 of this.buildStages) {
          if (util_1.Util.isInsideRange(position, buildStage2.getRange())) {
            return buildStage2;
          }
        }
        return this;
      }
      addInstruction(instruction) {
        if (instruction.getKeyword() === main_1.Keyword.FROM) {
          this.currentBuildStage = new imageTemplate_1.ImageTemplate();
          this.buildStages.push(this.currentBuildStage);
          this.foundFrom = true;
        } else if (!this.foundFrom) {
          this.initialInstructions.addInstruction(instruction);
        }
        if (this.foundFrom) {
          this.currentBuildStage.addInstruction(instruction);
        }
        super.addInstruction(instruction);
      }
      setDirectives(directives) {
        this.directives = directives;
      }
      getDirective() {
        return this.directives.length === 0 ? null : this.directives[0];
      }
      getDirectives() {
        return this.directives;
      }
      resolveVariable(variable, line) {
        for (let from of this.getFROMs()) {
          let range = from.getRange();
          if (range.start.line <= line && line <= range.end.line) {
            let initialARGs = new imageTemplate_1.ImageTemplate();
            for (let instruction of this.initialInstructions.getARGs()) {
              initialARGs.addInstruction(instruction);
            }
            return initialARGs.resolveVariable(variable, line);
          }
        }
        let image = this.getContainingImage(vscode_languageserver_types_1.Position.create(line, 0));
        if (image === null) {
          return void 0;
        }
        let resolvedVariable = image.resolveVariable(variable, line);
        if (resolvedVariable === null) {
          let initialARGs = new imageTemplate_1.ImageTemplate();
          for (let instruction of this.initialInstructions.getARGs()) {
            initialARGs.addInstruction(instruction);
          }
          return initialARGs.resolveVariable(variable, line);
        }
        return resolvedVariable;
      }
      getAvailableVariables(currentLine) {
        if (this.getInstructionAt(currentLine) instanceof from_1.From) {
          let variables = [];
          for (let arg of this.getInitialARGs()) {
            let property = arg.getProperty();
            if (property) {
              variables.push(property.getName());
            }
          }
          return variables;
        }
        let image = this.getContainingImage(vscode_languageserver_types_1.Position.create(currentLine, 0));
        return image ? image.getAvailableVariables(currentLine) : [];
      }
      getParentStage(image) {
        const templateFrom = image.getFROM();
        const imageName2 = templateFrom === null ? null : templateFrom.getImageName();
        if (imageName2 === null) {
          return null;
        }
        for (const from of this.getFROMs()) {
          if (from.getBuildStage() === imageName2) {
            const range = from.getRange();
            if (range.start.line === templateFrom.getRange().start.line) {
              return null;
            }
            return this.getContainingImage(range.start);
          }
        }
        return null;
      }
      getStageHierarchy(line) {
        const image = this.getContainingImage(vscode_languageserver_types_1.Position.create(line, 0));
        if (image === null) {
          return [];
        }
        const stages = [image];
        let stage = this.getParentStage(image);
        while (stage !== null) {
          stages.splice(0, 0, stage);
          stage = this.getParentStage(stage);
        }
        return stages;
      }
      getAvailableWorkingDirectories(line) {
        const availableDirectories = /* @__PURE__ */ new Set();
        for (const image of this.getStageHierarchy(line)) {
          for (const workdir of image.getWORKDIRs()) {
            if (workdir.getRange().end.line < line) {
              let directory = workdir.getAbsolutePath();
              if (directory !== void 0 && directory !== null) {
                if (!directory.endsWith("/")) {
                  directory += "/";
                }
                availableDirectories.add(directory);
              }
            }
          }
        }
        return Array.from(availableDirectories);
      }
      /**
       * Internally reorganize the comments in the Dockerfile and allocate
       * them to the relevant build stages that they belong to.
       */
      organizeComments() {
        const comments = this.getComments();
        for (let i = 0; i < comments.length; i++) {
          if (util_1.Util.isInsideRange(comments[i].getRange().end, this.initialInstructions.getRange())) {
            this.initialInstructions.addComment(comments[i]);
          } else {
            for (const buildStage2 of this.buildStages) {
              if (util_1.Util.isInsideRange(comments[i].getRange().start, buildStage2.getRange())) {
                buildStage2.addComment(comments[i]);
              }
            }
          }
        }
      }
      getRange() {
        const comments = this.getComments();
        const instructions = this.getInstructions();
        let range = null;
        if (comments.length === 0) {
          if (instructions.length > 0) {
            range = vscode_languageserver_types_1.Range.create(instructions[0].getRange().start, instructions[instructions.length - 1].getRange().end);
          }
        } else if (instructions.length === 0) {
          range = vscode_languageserver_types_1.Range.create(comments[0].getRange().start, comments[comments.length - 1].getRange().end);
        } else {
          const commentStart = comments[0].getRange().start;
          const commentEnd = comments[comments.length - 1].getRange().end;
          const instructionStart = instructions[0].getRange().start;
          const instructionEnd = instructions[instructions.length - 1].getRange().end;
          if (commentStart.line < instructionStart.line) {
            if (commentEnd.line < instructionEnd.line) {
              range = vscode_languageserver_types_1.Range.create(commentStart, instructionEnd);
            }
            range = vscode_languageserver_types_1.Range.create(commentStart, commentEnd);
          } else if (commentEnd.line < instructionEnd.line) {
            range = vscode_languageserver_types_1.Range.create(instructionStart, instructionEnd);
          } else {
            range = vscode_languageserver_types_1.Range.create(instructionStart, commentEnd);
          }
        }
        if (range === null) {
          if (this.directives.length === 0) {
            return null;
          }
          return this.directives[0].getRange();
        } else if (this.directives.length === 0) {
          return range;
        }
        return vscode_languageserver_types_1.Range.create(this.directives[0].getRange().start, range.end);
      }
    };
    exports.Dockerfile = Dockerfile;
  }
});

// node_modules/dockerfile-ast/lib/parser.js
var require_parser = __commonJS({
  "node_modules/dockerfile-ast/lib/parser.js"(exports) {
    "use strict";
    Object.defineProperty(exports, "__esModule", { value: true });
    exports.Parser = void 0;
    var vscode_languageserver_textdocument_1 = (init_main2(), __toCommonJS(main_exports2));
    var vscode_languageserver_types_1 = (init_main(), __toCommonJS(main_exports));
    var comment_1 = require_comment();
    var parserDirective_1 = require_parserDirective();
    var instruction_1 = require_instruction();
    var add_1 = require_add();
    var arg_1 = require_arg();
    var cmd_1 = require_cmd();
    var copy_1 = require_copy();
    var env_1 = require_env();
    var entrypoint_1 = require_entrypoint();
    var from_1 = require_from();
    var healthcheck_1 = require_healthcheck();
    var label_1 = require_label();
    var onbuild_1 = require_onbuild();
    var run_1 = require_run();
    var shell_1 = require_shell();
    var stopsignal_1 = require_stopsignal();
    var workdir_1 = require_workdir();
    var user_1 = require_user();
    var volume_1 = require_volume();
    var dockerfile_1 = require_dockerfile();
    var util_1 = require_util();
    var main_1 = require_main();
    var Parser = class _Parser {
      constructor() {
        this.escapeChar = null;
      }
      static createInstruction(document, dockerfile, escapeChar, lineRange, instruction, instructionRange) {
        switch (instruction.toUpperCase()) {
          case "ADD":
            return new add_1.Add(document, lineRange, dockerfile, escapeChar, instruction, instructionRange);
          case "ARG":
            return new arg_1.Arg(document, lineRange, dockerfile, escapeChar, instruction, instructionRange);
          case "CMD":
            return new cmd_1.Cmd(document, lineRange, dockerfile, escapeChar, instruction, instructionRange);
          case "COPY":
            return new copy_1.Copy(document, lineRange, dockerfile, escapeChar, instruction, instructionRange);
          case "ENTRYPOINT":
            return new entrypoint_1.Entrypoint(document, lineRange, dockerfile, escapeChar, instruction, instructionRange);
          case "ENV":
            return new env_1.Env(document, lineRange, dockerfile, escapeChar, instruction, instructionRange);
          case "FROM":
            return new from_1.From(document, lineRange, dockerfile, escapeChar, instruction, instructionRange);
          case "HEALTHCHECK":
            return new healthcheck_1.Healthcheck(document, lineRange, dockerfile, escapeChar, instruction, instructionRange);
          case "LABEL":
            return new label_1.Label(document, lineRange, dockerfile, escapeChar, instruction, instructionRange);
          case "ONBUILD":
            return new onbuild_1.Onbuild(document, lineRange, dockerfile, escapeChar, instruction, instructionRange);
          case "RUN":
            return new run_1.Run(document, lineRange, dockerfile, escapeChar, instruction, instructionRange);
          case "SHELL":
            return new shell_1.Shell(document, lineRange, dockerfile, escapeChar, instruction, instructionRange);
          case "STOPSIGNAL":
            return new stopsignal_1.Stopsignal(document, lineRange, dockerfile, escapeChar, instruction, instructionRange);
          case "WORKDIR":
            return new workdir_1.Workdir(document, lineRange, dockerfile, escapeChar, instruction, instructionRange);
          case "USER":
            return new user_1.User(document, lineRange, dockerfile, escapeChar, instruction, instructionRange);
          case "VOLUME":
            return new volume_1.Volume(document, lineRange, dockerfile, escapeChar, instruction, instructionRange);
        }
        return new instruction_1.Instruction(document, lineRange, dockerfile, escapeChar, instruction, instructionRange);
      }
      getParserDirectives(document, buffer) {
        const directives = [];
        this.escapeChar = "";
        const offset = util_1.Util.isUTF8BOM(buffer.substring(0, 1)) ? 1 : 0;
        directiveCheck: for (let i = offset; i < buffer.length; i++) {
          switch (buffer.charAt(i)) {
            case " ":
            case "	":
              break;
            case "\r":
            case "\n":
              break directiveCheck;
            case "#":
              let directiveStart = -1;
              let directiveEnd = -1;
              for (let j = i + 1; j < buffer.length; j++) {
                let char = buffer.charAt(j);
                switch (char) {
                  case " ":
                  case "	":
                    if (directiveStart !== -1 && directiveEnd === -1) {
                      directiveEnd = j;
                    }
                    break;
                  case "\r":
                  case "\n":
                    break directiveCheck;
                  case "=":
                    let valueStart = -1;
                    let valueEnd = -1;
                    if (directiveEnd === -1) {
                      directiveEnd = j;
                    }
                    let lineEnd = buffer.length;
                    directiveValue: for (let k = j + 1; k < buffer.length; k++) {
                      char = buffer.charAt(k);
                      switch (char) {
                        case "\r":
                        case "\n":
                          if (valueStart !== -1 && valueEnd === -1) {
                            valueEnd = k;
                          }
                          lineEnd = k;
                          break directiveValue;
                        case "	":
                        case " ":
                          if (valueStart !== -1 && valueEnd === -1) {
                            valueEnd = k;
                          }
                          continue;
                        default:
                          if (valueStart === -1) {
                            valueStart = k;
                          }
                          break;
                      }
                    }
                    if (directiveStart === -1) {
                      break directiveCheck;
                    }
                    if (valueStart === -1) {
                      valueStart = j + 1;
                      valueEnd = lineEnd;
                    } else if (valueEnd === -1) {
                      valueEnd = buffer.length;
                    }
                    const lineRange = vscode_languageserver_types_1.Range.create(document.positionAt(i), document.positionAt(lineEnd));
                    const nameRange = vscode_languageserver_types_1.Range.create(document.positionAt(directiveStart), document.positionAt(directiveEnd));
                    const valueRange = vscode_languageserver_types_1.Range.create(document.positionAt(valueStart), document.positionAt(valueEnd));
                    directives.push(new parserDirective_1.ParserDirective(document, lineRange, nameRange, valueRange));
                    directiveStart = -1;
                    if (buffer.charAt(valueEnd) === "\r") {
                      i = valueEnd + 1;
                    } else {
                      i = valueEnd;
                    }
                    continue directiveCheck;
                  default:
                    if (directiveStart === -1) {
                      directiveStart = j;
                    }
                    break;
                }
              }
              break;
            default:
              break directiveCheck;
          }
        }
        return directives;
      }
      parse(buffer) {
        this.document = vscode_languageserver_textdocument_1.TextDocument.create("", "", 0, buffer);
        this.buffer = buffer;
        let dockerfile = new dockerfile_1.Dockerfile(this.document);
        let directives = this.getParserDirectives(this.document, this.buffer);
        let offset = 0;
        this.escapeChar = "\\";
        if (directives.length > 0) {
          dockerfile.setDirectives(directives);
          this.escapeChar = dockerfile.getEscapeCharacter();
          offset = this.document.offsetAt(vscode_languageserver_types_1.Position.create(directives.length, 0));
        } else if (util_1.Util.isUTF8BOM(buffer.substring(0, 1))) {
          offset = 1;
        }
        for (let i = offset; i < this.buffer.length; i++) {
          const char = this.buffer.charAt(i);
          switch (char) {
            case " ":
            case "	":
            case "\r":
            case "\n":
              break;
            case "#":
              i = this.processComment(dockerfile, i);
              break;
            default:
              i = this.processInstruction(dockerfile, char, i);
              break;
          }
        }
        dockerfile.organizeComments();
        return dockerfile;
      }
      processInstruction(dockerfile, char, start) {
        let instruction = char;
        let instructionEnd = -1;
        let escapedInstruction = false;
        instructionCheck: for (let i = start + 1; i < this.buffer.length; i++) {
          char = this.buffer.charAt(i);
          switch (char) {
            case this.escapeChar:
              escapedInstruction = true;
              char = this.buffer.charAt(i + 1);
              if (char === "\r" || char === "\n") {
                if (instructionEnd === -1) {
                  instructionEnd = i;
                }
                i++;
              } else if (char === " " || char === "	") {
                for (let j = i + 2; j < this.buffer.length; j++) {
                  switch (this.buffer.charAt(j)) {
                    case " ":
                    case "	":
                      break;
                    case "\r":
                    case "\n":
                      i = j;
                      continue instructionCheck;
                    default:
                      instructionEnd = i + 1;
                      instruction = instruction + this.escapeChar;
                      i = j - 2;
                      continue instructionCheck;
                  }
                }
                instructionEnd = i + 1;
                instruction = instruction + this.escapeChar;
                break instructionCheck;
              } else {
                instructionEnd = i + 1;
                instruction = instruction + this.escapeChar;
                escapedInstruction = false;
              }
              break;
            case " ":
            case "	":
              if (escapedInstruction) {
                escapeCheck: for (let j = i + 1; j < this.buffer.length; j++) {
                  switch (this.buffer.charAt(j)) {
                    case " ":
                    case "	":
                      break;
                    case "\r":
                    case "\n":
                      i = j;
                      continue instructionCheck;
                    default:
                      break escapeCheck;
                  }
                }
                escapedInstruction = false;
              }
              if (instructionEnd === -1) {
                instructionEnd = i;
              }
              i = this.processArguments(dockerfile, instruction, instructionEnd, start, i);
              dockerfile.addInstruction(this.createInstruction(dockerfile, instruction, start, instructionEnd, i));
              return i;
            case "\r":
            case "\n":
              if (escapedInstruction) {
                continue;
              }
              if (instructionEnd === -1) {
                instructionEnd = i;
              }
              dockerfile.addInstruction(this.createInstruction(dockerfile, instruction, start, i, i));
              return i;
            case "#":
              if (escapedInstruction) {
                continue;
              }
            default:
              instructionEnd = i + 1;
              instruction = instruction + char;
              escapedInstruction = false;
              break;
          }
        }
        if (instructionEnd === -1) {
          instructionEnd = this.buffer.length;
        }
        dockerfile.addInstruction(this.createInstruction(dockerfile, instruction, start, instructionEnd, this.buffer.length));
        return this.buffer.length;
      }
      processHeredocs(instruction, offset) {
        let keyword = instruction.getKeyword();
        if (keyword === main_1.Keyword.ONBUILD) {
          instruction = instruction.getTriggerInstruction();
          if (instruction === null) {
            return offset;
          }
          keyword = instruction.getKeyword();
        }
        if (keyword !== main_1.Keyword.ADD && keyword !== main_1.Keyword.COPY && keyword !== main_1.Keyword.RUN) {
          return offset;
        }
        const heredocs = [];
        let tabbed = false;
        for (const arg of instruction.getArguments()) {
          const value = arg.getValue();
          if (value.startsWith("<<") && value.length > 2) {
            if (value.startsWith("<<-")) {
              tabbed = true;
            }
            const name = util_1.Util.parseHeredocName(value);
            if (name !== null) {
              heredocs.push(name);
            }
          }
        }
        if (heredocs.length > 0) {
          for (const heredoc of heredocs) {
            offset = this.parseHeredoc(heredoc, offset, tabbed);
          }
        }
        return offset;
      }
      processArguments(dockerfile, instruction, instructionEnd, start, offset) {
        let escaped = false;
        argumentsCheck: for (let i = offset + 1; i < this.buffer.length; i++) {
          switch (this.buffer.charAt(i)) {
            case "\r":
            case "\n":
              if (escaped) {
                continue;
              }
              return this.processHeredocs(this.createInstruction(dockerfile, instruction, start, instructionEnd, i), i);
            case this.escapeChar:
              const next = this.buffer.charAt(i + 1);
              if (next === "\n" || next === "\r") {
                escaped = true;
                i++;
              } else if (next === " " || next === "	") {
                for (let j = i + 2; j < this.buffer.length; j++) {
                  switch (this.buffer.charAt(j)) {
                    case " ":
                    case "	":
                      break;
                    case "\r":
                    case "\n":
                      escaped = true;
                    default:
                      i = j;
                      continue argumentsCheck;
                  }
                }
                return this.buffer.length;
              }
              continue;
            case "#":
              if (escaped) {
                i = this.processComment(dockerfile, i);
                continue argumentsCheck;
              }
              break;
            case " ":
            case "	":
              break;
            default:
              if (escaped) {
                escaped = false;
              }
              break;
          }
        }
        return this.buffer.length;
      }
      processComment(dockerfile, start) {
        let end = this.buffer.length;
        commentLoop: for (let i = start + 1; i < this.buffer.length; i++) {
          switch (this.buffer.charAt(i)) {
            case "\r":
            case "\n":
              end = i;
              break commentLoop;
          }
        }
        const range = vscode_languageserver_types_1.Range.create(this.document.positionAt(start), this.document.positionAt(end));
        dockerfile.addComment(new comment_1.Comment(this.document, range));
        return end;
      }
      parseHeredoc(heredocName, offset, tabbed) {
        let startWord = -1;
        let lineStart = true;
        for (let i = offset; i < this.buffer.length; i++) {
          switch (this.buffer.charAt(i)) {
            case " ":
              lineStart = false;
              break;
            case "	":
              if (!tabbed) {
                lineStart = false;
              }
              break;
            case "\r":
            case "\n":
              if (startWord !== -1 && heredocName === this.buffer.substring(startWord, i)) {
                return i;
              }
              startWord = -1;
              lineStart = true;
              break;
            default:
              if (lineStart) {
                startWord = i;
                lineStart = false;
              }
              break;
          }
        }
        return this.buffer.length;
      }
      createInstruction(dockerfile, instruction, start, instructionEnd, end) {
        const startPosition = this.document.positionAt(start);
        const instructionRange = vscode_languageserver_types_1.Range.create(startPosition, this.document.positionAt(instructionEnd));
        const lineRange = vscode_languageserver_types_1.Range.create(startPosition, this.document.positionAt(end));
        return _Parser.createInstruction(this.document, dockerfile, this.escapeChar, lineRange, instruction, instructionRange);
      }
    };
    exports.Parser = Parser;
  }
});

// node_modules/dockerfile-ast/lib/main.js
var require_main = __commonJS({
  "node_modules/dockerfile-ast/lib/main.js"(exports) {
    "use strict";
    Object.defineProperty(exports, "__esModule", { value: true });
    exports.DockerfileParser = exports.DefaultVariables = exports.Directive = exports.Keyword = exports.Workdir = exports.Volume = exports.User = exports.Stopsignal = exports.Shell = exports.Run = exports.PropertyInstruction = exports.Onbuild = exports.ModifiableInstruction = exports.Label = exports.JSONInstruction = exports.Heredoc = exports.Healthcheck = exports.From = exports.Env = exports.Entrypoint = exports.Copy = exports.Cmd = exports.Arg = exports.Add = exports.Variable = exports.Property = exports.ParserDirective = exports.Line = exports.Instruction = exports.Flag = exports.Comment = exports.JSONArgument = exports.Argument = void 0;
    var argument_1 = require_argument();
    Object.defineProperty(exports, "Argument", { enumerable: true, get: function() {
      return argument_1.Argument;
    } });
    var jsonArgument_1 = require_jsonArgument();
    Object.defineProperty(exports, "JSONArgument", { enumerable: true, get: function() {
      return jsonArgument_1.JSONArgument;
    } });
    var comment_1 = require_comment();
    Object.defineProperty(exports, "Comment", { enumerable: true, get: function() {
      return comment_1.Comment;
    } });
    var parser_1 = require_parser();
    var flag_1 = require_flag();
    Object.defineProperty(exports, "Flag", { enumerable: true, get: function() {
      return flag_1.Flag;
    } });
    var instruction_1 = require_instruction();
    Object.defineProperty(exports, "Instruction", { enumerable: true, get: function() {
      return instruction_1.Instruction;
    } });
    var line_1 = require_line();
    Object.defineProperty(exports, "Line", { enumerable: true, get: function() {
      return line_1.Line;
    } });
    var parserDirective_1 = require_parserDirective();
    Object.defineProperty(exports, "ParserDirective", { enumerable: true, get: function() {
      return parserDirective_1.ParserDirective;
    } });
    var property_1 = require_property();
    Object.defineProperty(exports, "Property", { enumerable: true, get: function() {
      return property_1.Property;
    } });
    var variable_1 = require_variable();
    Object.defineProperty(exports, "Variable", { enumerable: true, get: function() {
      return variable_1.Variable;
    } });
    var add_1 = require_add();
    Object.defineProperty(exports, "Add", { enumerable: true, get: function() {
      return add_1.Add;
    } });
    var arg_1 = require_arg();
    Object.defineProperty(exports, "Arg", { enumerable: true, get: function() {
      return arg_1.Arg;
    } });
    var cmd_1 = require_cmd();
    Object.defineProperty(exports, "Cmd", { enumerable: true, get: function() {
      return cmd_1.Cmd;
    } });
    var copy_1 = require_copy();
    Object.defineProperty(exports, "Copy", { enumerable: true, get: function() {
      return copy_1.Copy;
    } });
    var entrypoint_1 = require_entrypoint();
    Object.defineProperty(exports, "Entrypoint", { enumerable: true, get: function() {
      return entrypoint_1.Entrypoint;
    } });
    var env_1 = require_env();
    Object.defineProperty(exports, "Env", { enumerable: true, get: function() {
      return env_1.Env;
    } });
    var from_1 = require_from();
    Object.defineProperty(exports, "From", { enumerable: true, get: function() {
      return from_1.From;
    } });
    var healthcheck_1 = require_healthcheck();
    Object.defineProperty(exports, "Healthcheck", { enumerable: true, get: function() {
      return healthcheck_1.Healthcheck;
    } });
    var heredoc_1 = require_heredoc();
    Object.defineProperty(exports, "Heredoc", { enumerable: true, get: function() {
      return heredoc_1.Heredoc;
    } });
    var jsonInstruction_1 = require_jsonInstruction();
    Object.defineProperty(exports, "JSONInstruction", { enumerable: true, get: function() {
      return jsonInstruction_1.JSONInstruction;
    } });
    var label_1 = require_label();
    Object.defineProperty(exports, "Label", { enumerable: true, get: function() {
      return label_1.Label;
    } });
    var modifiableInstruction_1 = require_modifiableInstruction();
    Object.defineProperty(exports, "ModifiableInstruction", { enumerable: true, get: function() {
      return modifiableInstruction_1.ModifiableInstruction;
    } });
    var onbuild_1 = require_onbuild();
    Object.defineProperty(exports, "Onbuild", { enumerable: true, get: function() {
      return onbuild_1.Onbuild;
    } });
    var propertyInstruction_1 = require_propertyInstruction();
    Object.defineProperty(exports, "PropertyInstruction", { enumerable: true, get: function() {
      return propertyInstruction_1.PropertyInstruction;
    } });
    var run_1 = require_run();
    Object.defineProperty(exports, "Run", { enumerable: true, get: function() {
      return run_1.Run;
    } });
    var shell_1 = require_shell();
    Object.defineProperty(exports, "Shell", { enumerable: true, get: function() {
      return shell_1.Shell;
    } });
    var stopsignal_1 = require_stopsignal();
    Object.defineProperty(exports, "Stopsignal", { enumerable: true, get: function() {
      return stopsignal_1.Stopsignal;
    } });
    var user_1 = require_user();
    Object.defineProperty(exports, "User", { enumerable: true, get: function() {
      return user_1.User;
    } });
    var volume_1 = require_volume();
    Object.defineProperty(exports, "Volume", { enumerable: true, get: function() {
      return volume_1.Volume;
    } });
    var workdir_1 = require_workdir();
    Object.defineProperty(exports, "Workdir", { enumerable: true, get: function() {
      return workdir_1.Workdir;
    } });
    var Keyword;
    (function(Keyword2) {
      Keyword2["ADD"] = "ADD";
      Keyword2["ARG"] = "ARG";
      Keyword2["CMD"] = "CMD";
      Keyword2["COPY"] = "COPY";
      Keyword2["ENTRYPOINT"] = "ENTRYPOINT";
      Keyword2["ENV"] = "ENV";
      Keyword2["EXPOSE"] = "EXPOSE";
      Keyword2["FROM"] = "FROM";
      Keyword2["HEALTHCHECK"] = "HEALTHCHECK";
      Keyword2["LABEL"] = "LABEL";
      Keyword2["MAINTAINER"] = "MAINTAINER";
      Keyword2["ONBUILD"] = "ONBUILD";
      Keyword2["RUN"] = "RUN";
      Keyword2["SHELL"] = "SHELL";
      Keyword2["STOPSIGNAL"] = "STOPSIGNAL";
      Keyword2["USER"] = "USER";
      Keyword2["VOLUME"] = "VOLUME";
      Keyword2["WORKDIR"] = "WORKDIR";
    })(Keyword || (exports.Keyword = Keyword = {}));
    var Directive;
    (function(Directive2) {
      Directive2["escape"] = "escape";
      Directive2["syntax"] = "syntax";
    })(Directive || (exports.Directive = Directive = {}));
    exports.DefaultVariables = [
      "ALL_PROXY",
      "all_proxy",
      "FTP_PROXY",
      "ftp_proxy",
      "HTTP_PROXY",
      "http_proxy",
      "HTTPS_PROXY",
      "https_proxy",
      "NO_PROXY",
      "no_proxy"
    ];
    var DockerfileParser2;
    (function(DockerfileParser3) {
      function parse2(content) {
        let parser = new parser_1.Parser();
        return parser.parse(content);
      }
      DockerfileParser3.parse = parse2;
    })(DockerfileParser2 || (exports.DockerfileParser = DockerfileParser2 = {}));
  }
});

// http-required:http
var require_http = __commonJS({
  "http-required:http"(exports, module) {
    module.exports = __require("node:http");
  }
});

// src/github/context.ts
import { readFileSync } from "node:fs";

// src/model/fields.ts
function obj(value) {
  return typeof value === "object" && value !== null && !Array.isArray(value) ? value : null;
}
function arr(value) {
  return Array.isArray(value) ? value : [];
}
function num(value) {
  return typeof value === "number" && Number.isFinite(value) ? value : null;
}
function str(value) {
  return typeof value === "string" ? value : null;
}

// src/github/context.ts
function readRunContext(env = process.env) {
  const payload = readEventPayload(env);
  const [owner = "", repo = ""] = (env["GITHUB_REPOSITORY"] ?? "").split("/");
  const repository = obj(payload["repository"]);
  const positive = (v) => v && /^\d+$/.test(v) ? Number(v) : null;
  return {
    eventName: env["GITHUB_EVENT_NAME"] ?? "",
    owner,
    repo,
    serverUrl: (env["GITHUB_SERVER_URL"] ?? "https://github.com").replace(/\/+$/, ""),
    apiUrl: (env["GITHUB_API_URL"] ?? "https://api.github.com").replace(/\/+$/, ""),
    sha: env["GITHUB_SHA"] || null,
    ref: env["GITHUB_REF"] || null,
    headRef: env["GITHUB_HEAD_REF"] || null,
    runId: positive(env["GITHUB_RUN_ID"]),
    runAttempt: positive(env["GITHUB_RUN_ATTEMPT"]),
    defaultBranch: repository ? str(repository["default_branch"]) : null,
    pullRequest: pullRequestOf(payload),
    payload
  };
}
function readEventPayload(env) {
  const eventPath = env["GITHUB_EVENT_PATH"];
  if (!eventPath) return {};
  try {
    return obj(JSON.parse(readFileSync(eventPath, "utf8"))) ?? {};
  } catch {
    return {};
  }
}
function runEventOf(context, env = process.env) {
  if (!context.eventName) return null;
  const text2 = (v) => typeof v === "string" && v !== "" ? v : null;
  const payload = context.payload;
  const repository = obj(payload["repository"]);
  const pr = obj(payload["pull_request"]);
  const head = pr ? obj(pr["head"]) : null;
  const base = pr ? obj(pr["base"]) : null;
  const fullName = (side) => {
    const repo = side ? obj(side["repo"]) : null;
    return repo ? text2(repo["full_name"]) : null;
  };
  const number = pr ? num(pr["number"]) : null;
  const headSha = head ? text2(head["sha"]) : null;
  return {
    name: context.eventName,
    ref: context.ref,
    defaultBranch: repository ? text2(repository["default_branch"]) : null,
    action: text2(payload["action"]),
    repository: text2(env["GITHUB_REPOSITORY"]) ?? (repository ? text2(repository["full_name"]) : null),
    pullRequest: number !== null && headSha ? { number, headSha, headRepository: fullName(head), baseRepository: fullName(base) } : null
  };
}
function pullRequestOf(payload) {
  const pr = obj(payload["pull_request"]);
  const number = pr ? num(pr["number"]) : null;
  if (!pr || number === null) return null;
  const head = obj(pr["head"]);
  const base = obj(pr["base"]);
  const headRepo = head ? obj(head["repo"]) : null;
  const baseRepo = base ? obj(base["repo"]) : null;
  const headName = headRepo ? str(headRepo["full_name"]) : null;
  const baseName = baseRepo ? str(baseRepo["full_name"]) : null;
  return {
    number,
    headSha: head ? str(head["sha"]) : null,
    baseSha: base ? str(base["sha"]) : null,
    // A deleted fork leaves head.repo null: still a fork.
    fromFork: headName === null || baseName !== null && headName.toLowerCase() !== baseName.toLowerCase()
  };
}
function isPullRequestEvent(context) {
  return context.pullRequest !== null && (context.eventName === "pull_request" || context.eventName === "pull_request_target");
}
function isDefaultBranchPush(context) {
  return context.eventName === "push" && context.defaultBranch !== null && context.ref === `refs/heads/${context.defaultBranch}`;
}
function commitUrl(context, sha) {
  if (!sha || !/^[0-9a-f]{7,64}$/i.test(sha) || !context.owner) return null;
  return `${context.serverUrl}/${context.owner}/${context.repo}/commit/${sha}`;
}
function runUrl(context) {
  return context.owner && context.runId !== null ? `${context.serverUrl}/${context.owner}/${context.repo}/actions/runs/${context.runId}` : null;
}

// src/config/railway-settings.ts
import path from "node:path";

// src/railway/backoff.ts
function pollSchedule(timeoutMs) {
  const firstMs = clamp(Math.round(timeoutMs / 100), 50, 1e3);
  const capMs = clamp(Math.round(timeoutMs / 30), firstMs, 1e4);
  return { firstMs, capMs };
}
function nextPollDelay(previousMs, schedule, remainingMs) {
  const next = previousMs === void 0 ? schedule.firstMs : Math.min(schedule.capMs, Math.round(previousMs * 1.5));
  return Math.max(0, Math.min(next, remainingMs));
}
function parseRetryAfter(value, now) {
  if (value === null || value === void 0 || value.trim() === "") return void 0;
  const text2 = value.trim();
  if (/^\d+(\.\d+)?$/.test(text2)) return Math.round(Number(text2) * 1e3);
  const at = Date.parse(text2);
  if (Number.isNaN(at)) return void 0;
  return Math.max(0, at - now);
}
var RETRY_BASE_MS = 500;
var RETRY_CAP_MS = 8e3;
var MAX_ATTEMPTS = 5;
function retryDelay(attempt, random = Math.random) {
  const ceiling = Math.min(RETRY_CAP_MS, RETRY_BASE_MS * 2 ** Math.max(0, attempt - 1));
  return Math.round(ceiling / 2 + ceiling / 2 * random());
}
function shouldRetry(q) {
  if (q.attempt >= MAX_ATTEMPTS) return { retry: false, why: `gave up after ${q.attempt} attempts` };
  const idempotent = !q.mutation || q.kind === "rate-limited" || q.kind === "not-sent" || q.kind === "server-error" && q.status === 503;
  if (!idempotent) return { retry: false, why: "a mutation that may have reached Railway is not repeated" };
  let delayMs;
  if (q.kind === "rate-limited") {
    delayMs = q.retryAfterMs ?? retryDelay(q.attempt, q.random);
  } else {
    delayMs = Math.max(q.retryAfterMs ?? 0, retryDelay(q.attempt, q.random));
  }
  if (delayMs > q.remainingMs) {
    return { retry: false, why: `the next try would be in ${Math.ceil(delayMs / 1e3)} s, past the time left (${Math.floor(q.remainingMs / 1e3)} s)` };
  }
  return { retry: true, delayMs };
}
function clamp(value, min, max) {
  return Math.min(max, Math.max(min, value));
}

// src/railway/client.ts
var DEFAULT_ENDPOINT = "https://backboard.railway.com/graphql/v2";
function railwayEndpoint(env = process.env) {
  return env["RAILWAY_GRAPHQL_ENDPOINT"]?.trim() || DEFAULT_ENDPOINT;
}
var RailwayApiError = class extends Error {
  operation;
  kind;
  /** Railway's own words (GraphQL error messages, HTTP status). */
  detail;
  constructor(operation, kind, detail, message) {
    super(message);
    this.name = "RailwayApiError";
    this.operation = operation;
    this.kind = kind;
    this.detail = detail;
  }
};
var REQUEST_TIMEOUT_MS = 3e4;
var DEFAULT_REQUEST_BUDGET_MS = 12e4;
var RailwayClient = class {
  /** Operation names in the order they were sent (retries included), for the report and tests. */
  sent = [];
  options;
  fetchImpl;
  sleep;
  now;
  constructor(options) {
    this.options = options;
    this.fetchImpl = options.fetch ?? fetch;
    this.sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
    this.now = options.now ?? Date.now;
  }
  get tokenType() {
    return this.options.tokenType;
  }
  async request(op, variables, options = {}) {
    const deadline = options.deadline ?? this.now() + DEFAULT_REQUEST_BUDGET_MS;
    const headers = { "content-type": "application/json", "user-agent": "deploy-check" };
    if (this.options.tokenType === "project") headers["Project-Access-Token"] = this.options.token;
    else headers["Authorization"] = `Bearer ${this.options.token}`;
    const body = JSON.stringify({ query: op.document, variables, operationName: op.name });
    for (let attempt = 1; ; attempt++) {
      this.sent.push(op.name);
      let failure;
      try {
        const res = await this.fetchImpl(this.options.endpoint, {
          method: "POST",
          headers,
          body,
          signal: AbortSignal.timeout(Math.max(1e3, Math.min(REQUEST_TIMEOUT_MS, deadline - this.now())))
        });
        const text2 = await res.text();
        if (res.status === 429) {
          failure = { kind: "rate-limited", status: 429, retryAfterMs: parseRetryAfter(res.headers.get("retry-after"), this.now()), detail: "HTTP 429" };
        } else if (res.status >= 500) {
          failure = {
            kind: "server-error",
            status: res.status,
            retryAfterMs: parseRetryAfter(res.headers.get("retry-after"), this.now()),
            detail: `HTTP ${res.status}`
          };
        } else {
          return this.answer(op, res.status, text2);
        }
      } catch (err) {
        if (err instanceof RailwayApiError) throw err;
        failure = describeNetworkFailure(err);
      }
      const decision = shouldRetry({
        kind: failure.kind,
        ...failure.status !== void 0 ? { status: failure.status } : {},
        attempt,
        mutation: op.kind === "mutation",
        retryAfterMs: failure.retryAfterMs,
        remainingMs: deadline - this.now(),
        ...this.options.random ? { random: this.options.random } : {}
      });
      if (!decision.retry) throw this.giveUp(op, failure, decision.why);
      this.options.onRetry?.(
        failure.kind === "rate-limited" ? `Railway's rate limit was reached (${op.name}); trying again in ${formatSeconds(decision.delayMs)}${failure.retryAfterMs !== void 0 ? " as its Retry-After asks" : ""}` : `Railway ${op.name}: ${failure.detail}; trying again in ${formatSeconds(decision.delayMs)} (attempt ${attempt + 1})`
      );
      await this.sleep(decision.delayMs);
    }
  }
  answer(op, status, text2) {
    let parsed2;
    try {
      parsed2 = JSON.parse(text2);
    } catch {
      throw new RailwayApiError(
        op.name,
        "http",
        `HTTP ${status}`,
        `Railway answered ${op.name} with HTTP ${status} and no GraphQL body${status === 401 || status === 403 ? `: ${authAdvice(this.options.tokenType, op.name, this.options.tokenTypeGuessed ?? false)}` : ""}`
      );
    }
    const messages = (parsed2.errors ?? []).map((e) => typeof e.message === "string" ? e.message : JSON.stringify(e));
    if (messages.length > 0 || parsed2.data === null || parsed2.data === void 0) {
      const detail = messages.join("; ") || `HTTP ${status} without data`;
      throw new RailwayApiError(
        op.name,
        "graphql",
        detail,
        explainGraphqlError(op.name, detail, this.options.tokenType, this.options.tokenTypeGuessed ?? false)
      );
    }
    return parsed2.data;
  }
  giveUp(op, failure, why2) {
    if (failure.kind === "rate-limited") {
      return new RailwayApiError(
        op.name,
        "rate-limited",
        failure.detail,
        `Railway's rate limit refused ${op.name} (HTTP 429${failure.retryAfterMs !== void 0 ? `, Retry-After ${formatSeconds(failure.retryAfterMs)}` : ""}) and deploy-check ${why2}. Railway allows 100 requests an hour on the free plan, 1000 on hobby; runs sharing a token share the limit`
      );
    }
    const kind = failure.kind === "server-error" ? "http" : "network";
    return new RailwayApiError(op.name, kind, failure.detail, `Railway did not answer ${op.name} (${failure.detail}); ${why2}`);
  }
};
function explainGraphqlError(operation, detail, tokenType, guessed = false) {
  const head = `Railway refused ${operation}: "${detail}"`;
  if (/not authori[sz]ed|unauthori[sz]ed|forbidden/i.test(detail)) return `${head}. ${authAdvice(tokenType, operation, guessed)}`;
  if (/project token not found/i.test(detail)) {
    return `${head}. railway-token was sent as a project token and Railway does not know it: it was revoked, or it is an account/workspace token (then set railway-token-type: account and railway-project)`;
  }
  if (/project not found/i.test(detail)) {
    return `${head}. Check railway-project (an ID from the project's settings, or its exact name) and that railway-token belongs to the workspace that owns it`;
  }
  if (/service not found|serviceinstance not found|service instance not found/i.test(detail)) {
    return `${head}. Check railway-service and railway-environment: the service must exist in that environment`;
  }
  if (/environment not found/i.test(detail)) return `${head}. Check railway-environment (an ID, or the environment's name such as "production")`;
  if (/commit not found/i.test(detail)) {
    return `${head}. Railway cannot find this commit in the service's repository: the commit must be pushed to the GitHub repository the service is connected to (or use deploy-source: image)`;
  }
  return head;
}
function authAdvice(tokenType, operation, guessed) {
  if (tokenType === "project") {
    const how2 = guessed ? "railway-token-type: auto chose project because railway-project is not set" : "railway-token-type: project";
    return `railway-token was sent as a project token (${how2}), which reaches one environment of one project and only deploy-related operations. ${operation} needs the token of the project and environment the service lives in (Project Settings \u2192 Tokens); to reach other projects or environments use an account or workspace token with railway-token-type: account and railway-project`;
  }
  const how = guessed ? "railway-token-type: auto chose account because railway-project is set" : "railway-token-type: account";
  return `railway-token was sent as an account or workspace token (${how}). It must belong to an account or workspace that can reach railway-project: a workspace token only reaches that workspace's projects. A project token needs railway-token-type: project (and no railway-project)`;
}
function describeNetworkFailure(err) {
  const e = err;
  if (e.name === "TimeoutError" || e.name === "AbortError") return { kind: "network", detail: "no answer within the request timeout" };
  const code = e.cause?.code ?? "";
  if (code === "ECONNREFUSED" || code === "ENOTFOUND" || code === "EAI_AGAIN" || code === "EHOSTUNREACH" || code === "ENETUNREACH") {
    return { kind: "not-sent", detail: code };
  }
  return { kind: "network", detail: code || e.cause?.message || e.message || String(err) };
}
function formatSeconds(ms) {
  return ms < 1e3 ? `${ms} ms` : `${(ms / 1e3).toFixed(ms < 1e4 ? 1 : 0)} s`;
}

// src/railway/operations.ts
function query(name, document) {
  return { name, kind: "query", document };
}
function mutation(name, document) {
  return { name, kind: "mutation", document };
}
var PROJECT_TOKEN = query(
  "ProjectToken",
  `query ProjectToken {
  projectToken {
    projectId
    environmentId
  }
}`
);
var PROJECT = query(
  "Project",
  `query Project($id: String!) {
  project(id: $id) {
    id
    name
    services {
      edges {
        node {
          id
          name
        }
      }
    }
    environments {
      edges {
        node {
          id
          name
        }
      }
    }
  }
}`
);
var PROJECTS = query(
  "Projects",
  `query Projects {
  projects {
    edges {
      node {
        id
        name
      }
    }
  }
}`
);
var SERVICE_INSTANCE = query(
  "ServiceInstance",
  `query ServiceInstance($environmentId: String!, $serviceId: String!) {
  serviceInstance(environmentId: $environmentId, serviceId: $serviceId) {
    id
    serviceName
    healthcheckPath
    healthcheckTimeout
    dockerfilePath
    startCommand
    preDeployCommand
    source {
      image
      repo
    }
  }
}`
);
var VARIABLES = query(
  "Variables",
  `query Variables($projectId: String!, $environmentId: String!, $serviceId: String!, $withShared: Boolean!, $withService: Boolean!) {
  shared: variables(projectId: $projectId, environmentId: $environmentId) @include(if: $withShared)
  service: variables(projectId: $projectId, environmentId: $environmentId, serviceId: $serviceId) @include(if: $withService)
}`
);
var DEPLOYMENT = query(
  "Deployment",
  `query Deployment($id: String!) {
  deployment(id: $id) {
    id
    status
    statusUpdatedAt
    url
    staticUrl
  }
}`
);
function logsQuery(name, field) {
  return query(
    name,
    `query ${name}($deploymentId: String!, $limit: Int) {
  ${field}(deploymentId: $deploymentId, limit: $limit) {
    timestamp
    message
    severity
  }
}`
  );
}
var BUILD_LOGS = logsQuery("BuildLogs", "buildLogs");
var DEPLOYMENT_LOGS = logsQuery("DeploymentLogs", "deploymentLogs");
var DOMAINS = query(
  "Domains",
  `query Domains($environmentId: String!, $projectId: String!, $serviceId: String!) {
  domains(environmentId: $environmentId, projectId: $projectId, serviceId: $serviceId) {
    serviceDomains {
      domain
    }
    customDomains {
      domain
    }
  }
}`
);
var DEPLOY = mutation(
  "Deploy",
  `mutation Deploy($serviceId: String!, $environmentId: String!, $commitSha: String) {
  serviceInstanceDeployV2(serviceId: $serviceId, environmentId: $environmentId, commitSha: $commitSha)
}`
);
var SET_IMAGE_SOURCE = mutation(
  "SetImageSource",
  `mutation SetImageSource($serviceId: String!, $environmentId: String, $input: ServiceInstanceUpdateInput!) {
  serviceInstanceUpdate(serviceId: $serviceId, environmentId: $environmentId, input: $input)
}`
);
var DEPLOYMENT_TRIGGERS = query(
  "DeploymentTriggers",
  `query DeploymentTriggers($projectId: String!, $environmentId: String!, $serviceId: String!) {
  deploymentTriggers(projectId: $projectId, environmentId: $environmentId, serviceId: $serviceId, first: 20) {
    edges {
      node {
        id
        repository
        branch
        checkSuites
        serviceId
      }
    }
  }
}`
);
var DEPLOYMENTS = query(
  "Deployments",
  `query Deployments($input: DeploymentListInput!, $first: Int) {
  deployments(input: $input, first: $first) {
    edges {
      node {
        id
        status
        statusUpdatedAt
        createdAt
        url
        staticUrl
        canRollback
        meta
      }
    }
  }
}`
);
var ENVIRONMENTS = query(
  "Environments",
  `query Environments($projectId: String!) {
  environments(projectId: $projectId) {
    edges {
      node {
        id
        name
        createdAt
      }
    }
  }
}`
);
var ENVIRONMENT_CREATE = mutation(
  "EnvironmentCreate",
  `mutation EnvironmentCreate($input: EnvironmentCreateInput!) {
  environmentCreate(input: $input) {
    id
    name
    createdAt
  }
}`
);
var ENVIRONMENT_DELETE = mutation(
  "EnvironmentDelete",
  `mutation EnvironmentDelete($id: String!) {
  environmentDelete(id: $id)
}`
);
var DEPLOYMENT_ROLLBACK = mutation(
  "DeploymentRollback",
  `mutation DeploymentRollback($id: String!) {
  deploymentRollback(id: $id)
}`
);
var DEPLOYMENT_CANCEL = mutation(
  "DeploymentCancel",
  `mutation DeploymentCancel($id: String!) {
  deploymentCancel(id: $id)
}`
);
var SERVICE_DOMAIN_CREATE = mutation(
  "ServiceDomainCreate",
  `mutation ServiceDomainCreate($input: ServiceDomainCreateInput!) {
  serviceDomainCreate(input: $input) {
    domain
  }
}`
);

// src/railway/target.ts
var TargetError = class extends Error {
  input;
  constructor(input, message) {
    super(`Input "${input}": ${message}`);
    this.name = "TargetError";
    this.input = input;
  }
};
var UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
async function resolveTarget(client, access) {
  let projectId;
  let tokenEnvironmentId;
  if (access.tokenType === "project") {
    const scope = (await client.request(PROJECT_TOKEN, {})).projectToken;
    projectId = scope.projectId;
    tokenEnvironmentId = scope.environmentId;
  } else {
    projectId = await findProjectId(client, access.project ?? "");
  }
  const project = (await client.request(PROJECT, { id: projectId })).project;
  if (access.tokenType === "project" && access.project !== void 0 && access.project !== project.id && access.project !== project.name) {
    throw new TargetError(
      "railway-project",
      `"${access.project}" is not the project of this project token (${project.name}, ${project.id}); drop railway-project or use railway-token-type: account`
    );
  }
  const environments = project.environments.edges.map((e) => e.node);
  const services = project.services.edges.map((e) => e.node);
  let environment;
  if (tokenEnvironmentId !== void 0) {
    environment = environments.find((e) => e.id === tokenEnvironmentId) ?? { id: tokenEnvironmentId, name: "" };
    if (access.environment !== void 0 && access.environment !== environment.id && access.environment !== environment.name) {
      throw new TargetError(
        "railway-environment",
        `"${access.environment}" is not the environment of this project token (${environment.name || environment.id}): a project token reaches one environment; use that environment's token`
      );
    }
  } else if (access.environment !== void 0) {
    environment = pick(environments, access.environment, "railway-environment", "environment", project.name);
  } else {
    environment = environments.length === 1 ? environments[0] : environments.find((e) => e.name === "production");
    if (environment === void 0) {
      throw new TargetError(
        "railway-environment",
        `project ${project.name} has several environments and none is called "production"; set railway-environment to one of: ${list(environments)}`
      );
    }
  }
  let service;
  if (access.service !== void 0) {
    service = pick(services, access.service, "railway-service", "service", project.name);
  } else {
    if (services.length !== 1) {
      throw new TargetError(
        "railway-service",
        services.length === 0 ? `project ${project.name} has no service` : `project ${project.name} has ${services.length} services; set railway-service to one of: ${list(services)}`
      );
    }
    service = services[0];
  }
  if (service === void 0) throw new TargetError("railway-service", "no service found");
  return {
    projectId: project.id,
    projectName: project.name,
    environmentId: environment.id,
    environmentName: environment.name || null,
    serviceId: service.id,
    serviceName: service.name
  };
}
async function findProjectId(client, wanted) {
  if (UUID.test(wanted)) return wanted;
  const projects = (await client.request(PROJECTS, {})).projects.edges.map((e) => e.node);
  return pick(projects, wanted, "railway-project", "project", "this token").id;
}
function pick(items, wanted, input, what, where) {
  const byId = items.find((i) => i.id === wanted);
  if (byId) return byId;
  const exact = items.filter((i) => i.name === wanted);
  const matches = exact.length > 0 ? exact : items.filter((i) => i.name.toLowerCase() === wanted.toLowerCase());
  if (matches.length === 1 && matches[0]) return matches[0];
  if (matches.length > 1) {
    throw new TargetError(input, `${matches.length} ${what}s are called "${wanted}" in ${where}; use the ID (${matches.map((m) => m.id).join(", ")})`);
  }
  throw new TargetError(input, `no ${what} "${wanted}" in ${where}; ${items.length ? `${what}s: ${list(items)}` : `it has no ${what}`}`);
}
function list(items) {
  return items.map((i) => `${i.name} (${i.id})`).join(", ");
}

// src/config/railway-settings.ts
function serviceLookup(say) {
  return (access, needs) => lookupRailwayService(
    access,
    new RailwayClient({
      endpoint: railwayEndpoint(),
      token: access.token,
      tokenType: access.tokenType,
      tokenTypeGuessed: access.tokenTypeGuessed,
      onRetry: say
    }),
    needs
  );
}
async function lookupRailwayService(access, client, needs) {
  const api = client ?? new RailwayClient({ endpoint: railwayEndpoint(), token: access.token, tokenType: access.tokenType, tokenTypeGuessed: access.tokenTypeGuessed });
  try {
    const target = await resolveTarget(api, access);
    const instance = (await api.request(SERVICE_INSTANCE, { environmentId: target.environmentId, serviceId: target.serviceId })).serviceInstance;
    const text2 = (v) => typeof v === "string" && v.trim() !== "" ? v.trim() : void 0;
    const remote = needs ? await readRemoteValues(api, target, needs) : void 0;
    return {
      ok: true,
      remote,
      target: { ...target, serviceName: target.serviceName ?? instance.serviceName },
      settings: {
        healthcheckPath: text2(instance.healthcheckPath),
        healthcheckTimeoutMs: typeof instance.healthcheckTimeout === "number" && instance.healthcheckTimeout > 0 ? instance.healthcheckTimeout * 1e3 : void 0,
        dockerfilePath: text2(instance.dockerfilePath),
        sourceImage: text2(instance.source?.image),
        sourceRepo: text2(instance.source?.repo),
        startCommand: text2(instance.startCommand),
        preDeployCommand: commandList(instance.preDeployCommand)
      },
      requests: api.sent.length
    };
  } catch (err) {
    return { ok: false, error: err.message, requests: api.sent.length };
  }
}
async function readRemoteValues(api, target, needs) {
  try {
    const data = await api.request(VARIABLES, {
      projectId: target.projectId,
      environmentId: target.environmentId,
      serviceId: target.serviceId,
      withShared: needs.shared.length > 0,
      withService: needs.preserved.length > 0
    });
    return { shared: picked(data.shared, needs.shared), service: picked(data.service, needs.preserved) };
  } catch (err) {
    return { shared: {}, service: {}, unreadable: err.message };
  }
}
function picked(map, names) {
  const out = {};
  const given = map;
  if (typeof given !== "object" || given === null) return out;
  for (const name of names) {
    const value = Object.hasOwn(given, name) ? given[name] : void 0;
    if (typeof value === "string") out[name] = value;
  }
  return out;
}
function remoteValuesOf(lookup) {
  if (!lookup) return void 0;
  if (!lookup.ok) return { shared: {}, service: {}, unreadable: `the Railway service could not be read: ${lookup.error}` };
  return lookup.remote;
}
function commandList(value) {
  const list2 = typeof value === "string" ? [value] : Array.isArray(value) ? value.filter((v) => typeof v === "string") : [];
  const commands2 = list2.map((c) => c.trim()).filter(Boolean);
  return commands2.length ? commands2 : void 0;
}
function findConfigDrift(settings, file, cwd = process.cwd()) {
  if (!file) return [];
  const relative = path.relative(cwd, file.file);
  const fileName = relative && !relative.startsWith("..") ? relative : file.file;
  const drift = [];
  if (file.healthcheckPath !== void 0 && file.healthcheckPath !== settings.healthcheckPath) {
    drift.push({ setting: "healthcheckPath", service: settings.healthcheckPath ?? null, file: file.healthcheckPath, fileName });
  }
  if (file.healthcheckTimeoutMs !== void 0 && file.healthcheckTimeoutMs !== settings.healthcheckTimeoutMs) {
    drift.push({
      setting: "healthcheckTimeout",
      service: settings.healthcheckTimeoutMs === void 0 ? null : settings.healthcheckTimeoutMs / 1e3,
      file: file.healthcheckTimeoutMs / 1e3,
      fileName
    });
  }
  const norm = (p) => p === void 0 ? void 0 : path.posix.normalize(p.replace(/^\.\//, ""));
  if (file.dockerfilePath !== void 0 && norm(file.dockerfilePath) !== norm(settings.dockerfilePath ?? "Dockerfile")) {
    drift.push({ setting: "dockerfilePath", service: settings.dockerfilePath ?? null, file: file.dockerfilePath, fileName });
  }
  return drift;
}

// src/config/config.ts
import { randomBytes as randomBytes2 } from "node:crypto";
import { existsSync as existsSync5, readFileSync as readFileSync2, statSync as statSync3 } from "node:fs";
import path11 from "node:path";

// src/config/dockerfile.ts
var import_dockerfile_ast = __toESM(require_main(), 1);
function parseDockerfile(content) {
  return import_dockerfile_ast.DockerfileParser.parse(content);
}
function parsed(source) {
  return typeof source === "string" ? parseDockerfile(source) : source;
}
function readDockerfileFacts(content, target) {
  const dockerfile = parsed(content);
  const stages = [];
  const globalArgs = [];
  let current;
  const close = () => {
    if (!current) return;
    const ins = current.instructions;
    const exposed = ins.filter((i) => i.keyword === "EXPOSE").flatMap((i) => i.text.replace(/^EXPOSE\s+/i, "").split(/\s+/)).map((p) => /^(\d+)(?:\/tcp)?$/i.exec(p)?.[1]).filter((p) => p !== void 0).map(Number);
    const hc = ins.filter((i) => i.keyword === "HEALTHCHECK").at(-1);
    const user = ins.filter((i) => i.keyword === "USER").at(-1);
    stages.push({
      name: current.name,
      index: stages.length,
      from: current.from,
      line: current.line,
      exposedPorts: [...new Set(exposed)],
      healthcheck: hc === void 0 ? "none" : /^HEALTHCHECK\s+NONE\b/i.test(hc.text) ? "disabled" : "defined",
      user: user?.text.replace(/^USER\s+/i, "").trim(),
      instructions: ins
    });
  };
  for (const instruction of dockerfile.getInstructions()) {
    const keyword = instruction.getKeyword().toUpperCase();
    const line = instruction.getRange().start.line + 1;
    const text2 = instruction.getTextContent().replace(/\\\r?\n\s*/g, " ").replace(/\s+/g, " ").trim();
    if (keyword === "FROM") {
      close();
      const from = dockerfile.getFROMs().find((f) => f.getRange().start.line + 1 === line);
      current = { name: from?.getBuildStage() ?? void 0, from: from?.getImage() ?? "", line, instructions: [] };
    }
    if (!current && keyword === "ARG") {
      const arg = /^ARG\s+([A-Za-z_][A-Za-z0-9_]*)(?:=(.*))?$/i.exec(text2);
      if (arg?.[1]) globalArgs.push({ name: arg[1], value: arg[2]?.replace(/^(["'])(.*)\1$/, "$2") });
    }
    current?.instructions.push({ keyword, line, text: text2 });
  }
  close();
  const finalStage = target === void 0 ? stages.at(-1) : stages.find((s) => s.name?.toLowerCase() === target.toLowerCase());
  return { stages, finalStage, globalArgs };
}
var INSTRUCTIONS = [
  "ADD",
  "ARG",
  "CMD",
  "COPY",
  "ENTRYPOINT",
  "ENV",
  "EXPOSE",
  "FROM",
  "HEALTHCHECK",
  "LABEL",
  "MAINTAINER",
  "ONBUILD",
  "RUN",
  "SHELL",
  "STOPSIGNAL",
  "USER",
  "VOLUME",
  "WORKDIR"
];
var NEED_ARGUMENT = /* @__PURE__ */ new Set(["ARG", "ENV", "EXPOSE", "HEALTHCHECK", "LABEL", "MAINTAINER", "ONBUILD", "SHELL", "STOPSIGNAL", "USER", "VOLUME", "WORKDIR"]);
function dockerfileSyntaxProblem(content) {
  const dockerfile = parsed(content);
  const syntax = dockerfile.getDirectives().find((d) => d.getName().toLowerCase() === "syntax")?.getValue();
  if (syntax !== void 0 && !/^(?:docker\.io\/)?docker\/dockerfile(?:-upstream)?(?:[:@]|$)/.test(syntax)) return void 0;
  for (const instruction of dockerfile.getInstructions()) {
    const keyword = instruction.getKeyword().toUpperCase();
    const line = instruction.getRange().start.line + 1;
    const problem = instructionProblem(
      keyword,
      instruction.getArguments().map((a) => a.getValue())
    );
    if (problem !== void 0) return { line, message: problem };
  }
  return void 0;
}
function instructionProblem(keyword, args) {
  if (!INSTRUCTIONS.includes(keyword)) {
    const near = INSTRUCTIONS.find((known) => editDistance(known, keyword) <= 1);
    return `unknown instruction ${keyword}${near ? ` (did you mean ${near}?)` : ""}`;
  }
  if (NEED_ARGUMENT.has(keyword) && args.length === 0) return `${keyword} requires at least one argument`;
  if (keyword === "FROM" && !(args.length === 1 || args.length === 3 && args[1]?.toUpperCase() === "AS")) {
    return `FROM requires an image and optionally "AS name" (FROM image [AS name]); it has ${args.length === 0 ? "none" : `"${args.join(" ")}"`}`;
  }
  if ((keyword === "COPY" || keyword === "ADD") && copyOperands(args) < 2) {
    return `${keyword} requires at least two arguments, a source and a destination`;
  }
  return void 0;
}
function copyOperands(args) {
  if (args[0]?.startsWith("[")) {
    try {
      const items = JSON.parse(args.join(" "));
      if (Array.isArray(items)) return items.length;
    } catch {
    }
  }
  return args.length;
}
function editDistance(a, b) {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      row.push(Math.min((previous[j] ?? 0) + 1, (row[j - 1] ?? 0) + 1, (previous[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1)));
    }
    previous = row;
  }
  return previous[b.length] ?? 0;
}
function parentStage(facts, stage) {
  const from = stage.from.toLowerCase();
  return facts.stages.find((p) => p.name?.toLowerCase() === from && p.index < stage.index);
}
function effectiveExposedPorts(facts, stage = facts.finalStage) {
  const seen = /* @__PURE__ */ new Set();
  for (let s = stage; s; s = parentStage(facts, s)) {
    for (const p of s.exposedPorts) seen.add(p);
  }
  return [...seen];
}
function effectiveHealthcheck(facts, stage = facts.finalStage) {
  for (let s = stage; s; s = parentStage(facts, s)) {
    if (s.healthcheck !== "none") return s.healthcheck;
  }
  return "none";
}

// src/config/railway-file.ts
import { readFile } from "node:fs/promises";
import path2 from "node:path";

// node_modules/smol-toml/dist/error.js
function getLineColFromPtr(string, ptr) {
  let lines = string.slice(0, ptr).split(/\r?\n/);
  return [lines.length, lines.pop().length + 1];
}
function makeCodeBlock(string, line, column) {
  let lines = string.split(/\r?\n/);
  let codeblock = "";
  let numberLen = (Math.log10(line + 1) | 0) + 1;
  for (let i = line - 1; i <= line + 1; i++) {
    let l = lines[i - 1];
    if (!l)
      continue;
    codeblock += i.toString().padEnd(numberLen, " ");
    codeblock += ":  ";
    codeblock += l;
    codeblock += "\n";
    if (i === line) {
      codeblock += " ".repeat(numberLen + column + 2);
      codeblock += "^\n";
    }
  }
  return codeblock;
}
var TomlError = class _TomlError extends Error {
  line;
  column;
  codeblock;
  constructor(message, options) {
    const [line, column] = getLineColFromPtr(options.toml, options.ptr);
    const codeblock = makeCodeBlock(options.toml, line, column);
    super(`Invalid TOML document: ${message}

${codeblock}`, options);
    this.line = line;
    this.column = column;
    this.codeblock = codeblock;
  }
  /** @internal */
  static x(message, ctx, ptr) {
    throw new _TomlError(message, { toml: ctx.s, ptr: ptr ?? ctx.p });
  }
};

// node_modules/smol-toml/dist/primitive.js
function parseString(ctx) {
  let startPtr = ctx.p;
  let c = ctx.s.charCodeAt(ctx.p++);
  let first = c;
  let isLiteral = c === 39;
  let isMultiline = c === ctx.s.charCodeAt(ctx.p) && c === ctx.s.charCodeAt(ctx.p + 1);
  if (isMultiline) {
    if ((c = ctx.s.charCodeAt(ctx.p += 2)) === 10)
      ctx.p++;
    else if (c === 13 && ctx.s.charCodeAt(ctx.p + 1) === 10)
      ctx.p += 2;
  }
  let parsed2 = "";
  let sliceStart = ctx.p;
  let state = 0;
  for (; ctx.p < ctx.s.length; ctx.p++) {
    c = ctx.s.charCodeAt(ctx.p);
    if (isMultiline && (c === 10 || c === 13 && ctx.s.charCodeAt(ctx.p + 1) === 10)) {
      state = state && 3;
    } else if (c < 32 && c !== 9 || c === 127) {
      TomlError.x("control characters are not allowed in strings", ctx);
    } else if ((!state || state === 3) && c === first && (!isMultiline || ctx.s.charCodeAt(ctx.p + 1) === first && ctx.s.charCodeAt(ctx.p + 2) === first)) {
      if (isMultiline) {
        if (ctx.s.charCodeAt(ctx.p + 3) === first)
          ctx.p++;
        if (ctx.s.charCodeAt(ctx.p + 3) === first)
          ctx.p++;
      }
      if (!state) {
        let s = ctx.s.slice(sliceStart, ctx.p);
        parsed2 = parsed2 ? parsed2 + s : s;
      }
      ctx.p += isMultiline ? 3 : 1;
      return parsed2;
    } else if (!state) {
      if (!isLiteral && c === 92) {
        parsed2 += ctx.s.slice(sliceStart, sliceStart = ctx.p);
        state = 1;
      }
    } else if (state === 1) {
      if (c === 120 || c === 117 || c === 85) {
        let errPtr = ctx.p++ - 1;
        let value = 0;
        let len = c === 120 ? 2 : c === 117 ? 4 : 8;
        for (let j = 0; j < len; j++, ctx.p++) {
          let hex = ctx.s.charCodeAt(ctx.p);
          let digit = (
            /* 0-9 */
            hex >= 48 && hex <= 57 ? hex - 48 : (
              /* A-F */
              hex >= 65 && hex <= 70 ? hex - 65 + 10 : (
                /* a-f */
                hex >= 97 && hex <= 102 ? hex - 97 + 10 : -1
              )
            )
          );
          if (digit < 0)
            TomlError.x("invalid non-hex character in unicode escape", ctx);
          value = value << 4 | digit;
        }
        if (value < 0 || value > 1114111 || value >= 55296 && value <= 57343) {
          TomlError.x("invalid unicode escape", ctx, errPtr);
        }
        parsed2 += String.fromCodePoint(value);
        sliceStart = ctx.p--;
        state = 0;
      } else if (isMultiline && (c === 32 || c === 9)) {
        state = 2;
      } else {
        if (c === 98)
          parsed2 += "\b";
        else if (c === 116)
          parsed2 += "	";
        else if (c === 110)
          parsed2 += "\n";
        else if (c === 102)
          parsed2 += "\f";
        else if (c === 114)
          parsed2 += "\r";
        else if (c === 101)
          parsed2 += "\x1B";
        else if (c === 34)
          parsed2 += '"';
        else if (c === 92)
          parsed2 += "\\";
        else
          TomlError.x("unrecognised escape sequence", ctx);
        sliceStart = ctx.p + 1;
        state = 0;
      }
    } else if (c !== 32 && c !== 9) {
      if (state === 2)
        TomlError.x("invalid escape: only line-ending whitespace may be escaped", ctx, sliceStart);
      state = !isLiteral && c === 92 ? 1 : 0;
      sliceStart = ctx.p;
    }
  }
  TomlError.x("unfinished string", ctx, startPtr);
}

// node_modules/smol-toml/dist/date.js
var DATE_TIME_RE = /^(\d{4}-\d{2}-\d{2})?[Tt ]?(?:(\d{2}):\d{2}(?::\d{2}(?:\.\d+)?)?)?(Z|z|[-+]\d{2}:\d{2})?$/i;
var TomlDate = class _TomlDate extends Date {
  #hasDate = false;
  #hasTime = false;
  #offset = null;
  constructor(date, fasttype, unsafeDelim) {
    let hasDate = true;
    let hasTime = true;
    let offset = "Z";
    let c;
    if (typeof date === "string") {
      if (fasttype)
        prep: {
          if (fasttype < 3) {
            if (+date.slice(11, 13) > 23) {
              date = "";
              break prep;
            }
            if (fasttype === 2) {
              offset = null;
              date += "Z";
            } else if ((c = date.charCodeAt(date.length - 1)) !== 90 && c !== 122) {
              offset = date.slice(date.length - 6);
            }
            if (unsafeDelim)
              date = date.slice(0, 10) + "T" + date.slice(11);
          } else if (fasttype === 4) {
            date = +date.slice(0, 2) > 23 ? "" : `0000-01-01T${date}Z`;
          }
          hasDate = fasttype !== 4;
          hasTime = fasttype !== 3;
        }
      else {
        let match = date.match(DATE_TIME_RE);
        if (match) {
          if (!match[1]) {
            hasDate = false;
            date = `0000-01-01T${date}`;
          }
          hasTime = !!match[2];
          hasTime && date[10] === " " && (date = date.replace(" ", "T"));
          if (match[2] && +match[2] > 23) {
            date = "";
          } else {
            offset = match[3] || null;
            if (!offset && hasTime)
              date += "Z";
          }
        } else {
          date = "";
        }
      }
    }
    super(date);
    if (!isNaN(this.getTime())) {
      this.#hasDate = hasDate;
      this.#hasTime = hasTime;
      this.#offset = offset;
    }
  }
  isDateTime() {
    return this.#hasDate && this.#hasTime;
  }
  isLocal() {
    return !this.#hasDate || !this.#hasTime || !this.#offset;
  }
  isDate() {
    return this.#hasDate && !this.#hasTime;
  }
  isTime() {
    return this.#hasTime && !this.#hasDate;
  }
  isValid() {
    return this.#hasDate || this.#hasTime;
  }
  toISOString() {
    let iso = super.toISOString();
    if (this.isDate())
      return iso.slice(0, 10);
    if (this.isTime())
      return iso.slice(11, 23);
    if (this.#offset === null)
      return iso.slice(0, -1);
    if (this.#offset === "Z" || this.#offset === "z")
      return iso;
    let offset = +this.#offset.slice(1, 3) * 60 + +this.#offset.slice(4, 6);
    offset = this.#offset[0] === "-" ? offset : -offset;
    let offsetDate = new Date(this.getTime() - offset * 6e4);
    return offsetDate.toISOString().slice(0, -1) + this.#offset;
  }
  static wrapAsOffsetDateTime(jsDate, offset = "Z") {
    let date = new _TomlDate(jsDate);
    date.#offset = offset;
    return date;
  }
  static wrapAsLocalDateTime(jsDate) {
    let date = new _TomlDate(jsDate);
    date.#offset = null;
    return date;
  }
  static wrapAsLocalDate(jsDate) {
    let date = new _TomlDate(jsDate);
    date.#hasTime = false;
    date.#offset = null;
    return date;
  }
  static wrapAsLocalTime(jsDate) {
    let date = new _TomlDate(jsDate);
    date.#hasDate = false;
    date.#offset = null;
    return date;
  }
};

// node_modules/smol-toml/dist/extract.js
function isDigit(char, base = 10) {
  return base === 16 ? char > 47 && char < 58 || char > 64 && char < 71 || char > 96 && char < 103 : char > 47 && char < 48 + base;
}
function isEndOfValue(char, delim) {
  return char === 32 || char === 9 || char === 10 || char === 13 || // Structure end or next value delimiter
  delim && (char === delim || char === 44) || // Comment
  char === 35;
}
function extractValue(ctx, end) {
  let errPtr = ctx.p;
  let c = ctx.s.charCodeAt(ctx.p);
  if (c === 91 || c === 123) {
    ctx.d-- || TomlError.x("document contains excessively nested structures. aborting.", ctx);
    let value = c === 91 ? parseArray(ctx) : parseInlineTable(ctx);
    ctx.d++;
    return value;
  }
  if (c === 34 || c === 39) {
    return parseString(ctx);
  }
  if (c === 116) {
    if (ctx.s.charCodeAt(++ctx.p) !== 114 || ctx.s.charCodeAt(++ctx.p) !== 117 || ctx.s.charCodeAt(++ctx.p) !== 101)
      TomlError.x("invalid value", ctx, errPtr);
    return ctx.p++, true;
  }
  if (c === 102) {
    if (ctx.s.charCodeAt(++ctx.p) !== 97 || ctx.s.charCodeAt(++ctx.p) !== 108 || ctx.s.charCodeAt(++ctx.p) !== 115 || ctx.s.charCodeAt(++ctx.p) !== 101)
      TomlError.x("invalid value", ctx, errPtr);
    return ctx.p++, false;
  }
  if (c === 43 || c === 45) {
    return parseNumber(ctx, ctx.p, ctx.s.charCodeAt(++ctx.p), 44 - c, end);
  }
  if (ctx.s.charCodeAt(ctx.p + 4) === 45 && ctx.s.charCodeAt(ctx.p + 7) === 45) {
    return parseDate(ctx, c, end);
  }
  if (ctx.s.charCodeAt(ctx.p + 2) === 58) {
    return parseTime(ctx, c, end);
  }
  return parseNumber(ctx, ctx.p, c, 0, end);
}
function parseNumber(ctx, startPtr, startChr, sign, endChr) {
  let c = startChr;
  let state = 0;
  let hasUnderscores = false;
  if (c === 105) {
    if (ctx.s.charCodeAt(++ctx.p) !== 110 || ctx.s.charCodeAt(++ctx.p) !== 102)
      TomlError.x("invalid value", ctx, startPtr);
    return ctx.p++, (sign || 1) / 0;
  }
  if (c === 110) {
    if (ctx.s.charCodeAt(++ctx.p) !== 97 || ctx.s.charCodeAt(++ctx.p) !== 110)
      TomlError.x("invalid value", ctx, startPtr);
    return ctx.p++, NaN;
  }
  if (c === 48) {
    if (++ctx.p >= ctx.s.length || isEndOfValue(c = ctx.s.charCodeAt(ctx.p), endChr))
      return ctx.bi === true ? 0n : 0;
    if (!sign) {
      if (c === 120)
        return parseIntegerBaseN(ctx, startPtr, 16, endChr);
      else if (c === 98)
        return parseIntegerBaseN(ctx, startPtr, 2, endChr);
      else if (c === 111)
        return parseIntegerBaseN(ctx, startPtr, 8, endChr);
    }
    if (c === 46)
      state = 2;
    else if (c === 101 || c === 69)
      state = 4;
    else
      TomlError.x("illegal leading zero", ctx, startPtr);
  } else if (!isDigit(c))
    TomlError.x("invalid value", ctx, startPtr);
  while (++ctx.p < ctx.s.length && (c = ctx.s.charCodeAt(ctx.p), !isEndOfValue(c, endChr))) {
    if (!state)
      state = 1;
    if (c === 95) {
      if (!(state & 1))
        TomlError.x("illegal underscore", ctx);
      state += 11;
      hasUnderscores = true;
    } else if (state === 1 && c === 46)
      state = 2;
    else if ((state === 1 || state === 3) && (c === 101 || c === 69))
      state = 4;
    else if (state === 4 && (c === 43 || c === 45)) {
      state = 6;
    } else if (!isDigit(c))
      TomlError.x(`illegal character in numeric literal`, ctx);
    else if (state > 9)
      state -= 11;
    else if (!(state & 1))
      state++;
  }
  if (!state) {
    let val = (startChr - 48) * (sign || 1);
    return ctx.bi === true ? BigInt(val) : val;
  }
  if (!(state & 1))
    TomlError.x("unfinished numeric value", ctx, startPtr);
  let str4 = ctx.s.slice(startPtr, ctx.p);
  if (hasUnderscores)
    str4 = str4.replaceAll("_", "");
  return state > 1 ? parseFloat(str4) : parseInteger(ctx, str4, 10, startPtr);
}
function parseIntegerBaseN(ctx, startPtr, base, endChr) {
  let c, underscore = 1;
  while (++ctx.p < ctx.s.length && (c = ctx.s.charCodeAt(ctx.p), !isEndOfValue(c, endChr))) {
    if (c === 95) {
      if (underscore & 1)
        TomlError.x("illegal underscore", ctx);
      underscore = 3;
    } else if (!isDigit(c, base))
      TomlError.x(`illegal character in numeric literal`, ctx);
    else if (underscore & 1)
      underscore--;
  }
  if (underscore & 1)
    TomlError.x("unfinished numeric value", ctx);
  let str4 = ctx.s.slice(startPtr + 2, ctx.p);
  if (underscore)
    str4 = str4.replaceAll("_", "");
  return parseInteger(ctx, str4, base, startPtr);
}
function parseInteger(ctx, str4, base, startPtr) {
  if (ctx.bi !== true)
    int: {
      let val = parseInt(str4, base);
      if (!Number.isSafeInteger(val)) {
        if (ctx.bi)
          break int;
        TomlError.x("integer value cannot be represented losslessly", ctx, startPtr);
      }
      return val;
    }
  return base === 10 ? BigInt(str4) : BigInt((base === 2 ? "0b" : base === 8 ? "0o" : "0x") + str4);
}
function parseDate(ctx, c, endChr) {
  let startPtr = ctx.p++, unsafeSeparator;
  if (!isDigit(c) || !isDigit(ctx.s.charCodeAt(ctx.p++)) || !isDigit(ctx.s.charCodeAt(ctx.p++)) || !isDigit(ctx.s.charCodeAt(ctx.p++))) {
    return parseNumber(ctx, ctx.p = startPtr, c, 0, endChr);
  }
  ctx.p += 5;
  if (!isDigit(ctx.s.charCodeAt(ctx.p++)))
    TomlError.x("invalid date-time: date part is malformed", ctx, startPtr);
  if (ctx.p >= ctx.s.length || ((c = ctx.s.charCodeAt(ctx.p)) !== 32 || (unsafeSeparator = true, !isDigit(ctx.s.charCodeAt(ctx.p + 1)))) && c !== 84 && c !== 116) {
    let t2 = ctx.s.slice(startPtr, ctx.p);
    return readDate(ctx, t2, 3, false, startPtr);
  }
  if (ctx.s.charCodeAt(ctx.p += 3) !== 58)
    TomlError.x("invalid date-time: time part is malformed", ctx, startPtr);
  if (ctx.s.charCodeAt(ctx.p += 3) === 58)
    ctx.p += 3;
  if (ctx.s.charCodeAt(ctx.p) === 46)
    while (isDigit(ctx.s.charCodeAt(++ctx.p)))
      ;
  if (c = ctx.s.charCodeAt(ctx.p)) {
    if (c === 90 || c === 122) {
      let t2 = ctx.s.slice(startPtr, ++ctx.p);
      return readDate(ctx, t2, 1, unsafeSeparator, startPtr, "[+00:00]");
    }
    if (c === 43 || c === 45) {
      let t2 = ctx.s.slice(startPtr, ctx.p += 6);
      return readDate(ctx, t2, 1, unsafeSeparator, startPtr, !ctx.ld && "[" + ctx.s.slice(ctx.p - 6, ctx.p) + "]");
    }
  }
  let t = ctx.s.slice(startPtr, ctx.p);
  return readDate(ctx, t, 2, unsafeSeparator, startPtr);
}
function parseTime(ctx, c, endChr) {
  let start = ctx.p;
  if (!isDigit(c) || !isDigit(ctx.s.charCodeAt(++ctx.p))) {
    return parseNumber(ctx, --ctx.p, c, 0, endChr);
  }
  if (ctx.s.charCodeAt(ctx.p += 4) === 58)
    ctx.p += 3;
  if (ctx.s.charCodeAt(ctx.p) === 46)
    while (isDigit(ctx.s.charCodeAt(++ctx.p)))
      ;
  let t = ctx.s.slice(start, ctx.p);
  return readDate(ctx, t, 4, false, start);
}
function readDate(ctx, str4, type, unsafeDelim, errPtr, temporalSuffix) {
  if (ctx.ld) {
    let date = new TomlDate(str4, type, unsafeDelim);
    if (!date.isValid())
      TomlError.x("invalid date", ctx, errPtr);
    return date;
  }
  try {
    if (temporalSuffix)
      str4 += temporalSuffix;
    switch (type) {
      case 1:
        return Temporal.ZonedDateTime.from(str4);
      case 2:
        return Temporal.PlainDateTime.from(str4);
      case 3:
        return Temporal.PlainDate.from(str4);
      case 4:
        return Temporal.PlainTime.from(str4);
    }
  } catch (e) {
    TomlError.x(e instanceof Error ? e.message : "" + e, ctx, errPtr);
  }
}

// node_modules/smol-toml/dist/util.js
function skipComment(ctx) {
  for (; ctx.p < ctx.s.length; ctx.p++) {
    let c = ctx.s.charCodeAt(ctx.p);
    if (c === 10)
      break;
    if (c === 13 && ctx.s.charCodeAt(ctx.p + 1) === 10) {
      ctx.p++;
      break;
    }
    if (c < 32 && c !== 9 || c === 127) {
      TomlError.x("control characters are not allowed in comments", ctx);
    }
  }
}
function skipVoid(ctx, banNewLines, banComments) {
  let c;
  while (ctx.p < ctx.s.length) {
    while (ctx.p < ctx.s.length && ((c = ctx.s.charCodeAt(ctx.p)) === 32 || c === 9 || !banNewLines && (c === 10 || c === 13 && ctx.s.charCodeAt(ctx.p + 1) === 10)))
      ctx.p++;
    if (banComments || c !== 35)
      break;
    skipComment(ctx);
  }
}

// node_modules/smol-toml/dist/struct.js
function parseKey(ctx, end = 61) {
  let startPtr;
  let state = 0;
  let parsed2 = [];
  let sliceStart;
  let c = ctx.s.charCodeAt(startPtr = ctx.p);
  do {
    if (c === end) {
      if (!state)
        TomlError.x("unexpected end of key", ctx);
      if (state === 1)
        parsed2.push(ctx.s.slice(sliceStart, ctx.p));
      return ctx.p++, parsed2;
    } else if (c === 46) {
      if (!state)
        TomlError.x("illegal empty bare key", ctx);
      if (state === 1)
        parsed2.push(ctx.s.slice(sliceStart, ctx.p));
      state = 0;
    } else if (!state && (c === 34 || c === 39)) {
      if (c === ctx.s.charCodeAt(ctx.p + 1) && c === ctx.s.charCodeAt(ctx.p + 2))
        TomlError.x("illegal quoted key: multiline strings are not allowed", ctx);
      parsed2.push(parseString(ctx));
      state = 2;
      ctx.p--;
    } else if (c === 32 || c === 9) {
      if (state === 1) {
        parsed2.push(ctx.s.slice(sliceStart, ctx.p));
        state = 2;
      }
    } else if (state === 2 || c < 48 && c !== 45 || c > 57 && c < 65 || c > 90 && c < 97 && c !== 95 || c > 122) {
      TomlError.x("illegal character in key", ctx);
    } else if (!state) {
      state = 1;
      sliceStart = ctx.p;
    }
  } while (c = ctx.s.charCodeAt(++ctx.p));
  TomlError.x("incomplete key-value: cannot find end of key", ctx, startPtr);
}
function parseInlineTable(ctx) {
  let startPtr = ctx.p++;
  let res = /* @__PURE__ */ Object.create(null);
  let seen = /* @__PURE__ */ new Set();
  let c;
  while (ctx.p < ctx.s.length) {
    skipVoid(ctx);
    if ((c = ctx.s.charCodeAt(ctx.p)) === 125) {
      ctx.p++;
      return res;
    }
    let k;
    let t = res;
    let hasOwn = false;
    let errPtr = ctx.p;
    let key = parseKey(ctx);
    for (let i = 0; i < key.length; i++) {
      if (i)
        t = hasOwn ? t[k] : t[k] = /* @__PURE__ */ Object.create(null);
      k = key[i];
      if ((hasOwn = Object.hasOwn(t, k)) && (typeof t[k] !== "object" || seen.has(t[k]))) {
        TomlError.x("trying to redefine an already defined value", ctx, errPtr);
      }
      let unsafe = k === "__proto__";
      if (ctx.uk && (unsafe || k === "constructor")) {
        t = ctx.uk !== 1 && TomlError.x("document contains an unsafe property", ctx, errPtr);
        break;
      }
      if (!hasOwn && unsafe) {
        Object.defineProperty(t, k, { enumerable: true, configurable: true, writable: true });
      }
    }
    if (hasOwn) {
      TomlError.x("trying to redefine an already defined value", ctx, errPtr);
    }
    skipVoid(ctx, true, true);
    let value = extractValue(
      ctx,
      125
      /* } */
    );
    if (t && typeof (t[k] = value) === "object")
      seen.add(value);
    skipVoid(ctx);
    if ((c = ctx.s.charCodeAt(ctx.p++)) === 125) {
      return res;
    }
    if (c !== 44)
      TomlError.x("expected comma or end of structure", ctx, ctx.p - 1);
  }
  TomlError.x("unfinished table", ctx, startPtr);
}
function parseArray(ctx) {
  let startPtr = ctx.p++;
  let res = [];
  let c;
  while (ctx.p < ctx.s.length) {
    skipVoid(ctx);
    if ((c = ctx.s.charCodeAt(ctx.p)) === 93) {
      ctx.p++;
      return res;
    }
    res.push(extractValue(
      ctx,
      93
      /* ] */
    ));
    skipVoid(ctx);
    if ((c = ctx.s.charCodeAt(ctx.p++)) === 93) {
      return res;
    }
    if (c !== 44)
      TomlError.x("expected comma or end of structure", ctx, ctx.p - 1);
  }
  TomlError.x("unfinished array", ctx, startPtr);
}

// node_modules/smol-toml/dist/parse.js
function peekTable(ctx, key, table, meta, type) {
  let t = table;
  let m = meta;
  let k;
  let hasOwn = false;
  let state;
  for (let i = 0; i < key.length; i++) {
    if (i) {
      t = hasOwn ? t[k] : t[k] = /* @__PURE__ */ Object.create(null);
      m = (state = m[k]).c;
      if (type === 0 && (state.t === 1 || state.t === 2)) {
        return null;
      }
      if (state.t === 2) {
        let l = t.length - 1;
        t = t[l];
        m = m[l].c;
      }
    }
    k = key[i];
    if ((hasOwn = Object.hasOwn(t, k)) && m[k]?.t === 0 && m[k]?.d) {
      return null;
    }
    if (!hasOwn) {
      let unsafe = k === "__proto__";
      if (ctx.uk && (unsafe || k === "constructor"))
        return false;
      if (unsafe) {
        Object.defineProperty(t, k, { enumerable: true, configurable: true, writable: true });
        Object.defineProperty(m, k, { enumerable: true, configurable: true, writable: true });
      }
      m[k] = {
        t: i < key.length - 1 && type === 2 ? 3 : type,
        d: false,
        i: 0,
        c: /* @__PURE__ */ Object.create(null)
      };
    }
  }
  state = m[k];
  if (state.t !== type && !(type === 1 && state.t === 3)) {
    return null;
  }
  if (type === 2) {
    if (!state.d) {
      state.d = true;
      t[k] = [];
    }
    t[k].push(t = /* @__PURE__ */ Object.create(null));
    state.c[state.i++] = state = { t: 1, d: false, i: 0, c: /* @__PURE__ */ Object.create(null) };
  }
  if (state.d) {
    return null;
  }
  state.d = true;
  if (type === 1) {
    t = hasOwn ? t[k] : t[k] = /* @__PURE__ */ Object.create(null);
  } else if (type === 0 && hasOwn) {
    return null;
  }
  return [k, t, state.c];
}
function validateTablePeek(ctx, peek, ptr) {
  if (peek === null || ctx.uk === 2)
    TomlError.x(peek === null ? "trying to redefine an already defined table or value" : "document contains an unsafe property", ctx, ptr);
}
function parse(toml, options = {}) {
  let ctx = {
    s: toml,
    p: 0,
    d: options.maxDepth ?? 1e3,
    bi: options.integersAsBigInt ?? false,
    ld: options.useLegacyDate ?? true,
    uk: options.unsafeKeyBehaviour === "throw" ? 2 : options.unsafeKeyBehaviour === "drop" ? 1 : 0
  };
  let res = /* @__PURE__ */ Object.create(null);
  let meta = /* @__PURE__ */ Object.create(null);
  let tmp;
  let skipping = false;
  let tbl = res;
  let m = meta;
  if (toml.charCodeAt(0) === 65279)
    ctx.p++;
  skipVoid(ctx);
  while (ctx.p < toml.length) {
    if (toml.charCodeAt(ctx.p) === 91) {
      let isTableArray = toml.charCodeAt(++ctx.p) === 91;
      tmp = ctx.p += +isTableArray;
      skipping = false;
      let k = parseKey(
        ctx,
        93
        /* ] */
      );
      if (isTableArray) {
        if (toml.charCodeAt(ctx.p) !== 93) {
          TomlError.x("expected end of table array declaration", ctx);
        }
        ctx.p++;
      }
      let p = peekTable(
        ctx,
        k,
        res,
        meta,
        isTableArray ? 2 : 1
        /* Type.EXPLICIT */
      );
      if (!p) {
        validateTablePeek(ctx, p, tmp);
        skipping = true;
      } else {
        m = p[2];
        tbl = p[1];
      }
    } else {
      tmp = ctx.p;
      let k = parseKey(ctx);
      let p = peekTable(
        ctx,
        k,
        tbl,
        m,
        0
        /* Type.DOTTED */
      );
      if (!p && !skipping)
        validateTablePeek(ctx, p, tmp);
      skipVoid(ctx, true, true);
      let v = extractValue(ctx, void 0);
      if (p && !skipping)
        p[1][p[0]] = v;
    }
    skipVoid(ctx, true);
    if (ctx.p < toml.length && (tmp = toml.charCodeAt(ctx.p)) !== 10 && (tmp !== 13 || toml.charCodeAt(ctx.p + 1) !== 10)) {
      TomlError.x("each key-value declaration must be followed by an end-of-line", ctx);
    }
    skipVoid(ctx);
  }
  return res;
}

// node_modules/smol-toml/dist/stringify.js
var HAS_WELLFORMED = !!"".isWellFormed;

// src/config/railway-file.ts
var CANDIDATES = ["railway.json", "railway.toml"];
var CONFIG_AS_CODE_CUTOFF = "2026-12-01";
function configAsCodeRead(now) {
  return now.getTime() < Date.parse(`${CONFIG_AS_CODE_CUTOFF}T00:00:00Z`);
}
function settingsOf(file) {
  const named = [
    ["build.dockerfilePath", file.dockerfilePath],
    ["deploy.startCommand", file.startCommand],
    ["deploy.preDeployCommand", file.preDeployCommand],
    ["deploy.healthcheckPath", file.healthcheckPath],
    ["deploy.healthcheckTimeout", file.healthcheckTimeoutMs],
    ["deploy.cronSchedule", file.cronSchedule]
  ];
  return named.filter(([, v]) => v !== void 0).map(([k]) => k);
}
async function findRailwayFile(dirs, given) {
  if (given !== void 0) {
    let text2;
    try {
      text2 = await readFile(given, "utf8");
    } catch {
      throw new ConfigError("railway-config-file", `cannot read ${given}; give the path of a railway.json or railway.toml, or true to find one`);
    }
    return parseRailwayFile(given, text2);
  }
  for (const dir of [...new Set(dirs.map((d) => path2.resolve(d)))]) {
    for (const name of CANDIDATES) {
      const file = path2.join(dir, name);
      let text2;
      try {
        text2 = await readFile(file, "utf8");
      } catch {
        continue;
      }
      return parseRailwayFile(file, text2);
    }
  }
  return void 0;
}
function parseRailwayFile(file, text2) {
  let doc;
  try {
    doc = file.endsWith(".toml") ? parse(text2) : JSON.parse(text2);
  } catch (err) {
    throw new ConfigError("railway-config", `${file} could not be parsed: ${err.message.split("\n")[0]}`);
  }
  const section = (name) => {
    const v = doc?.[name];
    return typeof v === "object" && v !== null ? v : {};
  };
  const deploy2 = section("deploy");
  const build = section("build");
  const str4 = (v) => typeof v === "string" && v.trim() !== "" ? v.trim() : void 0;
  const timeout = deploy2["healthcheckTimeout"];
  const healthcheckPath = str4(deploy2["healthcheckPath"]);
  const preDeploy = deploy2["preDeployCommand"];
  let preDeployCommand;
  if (typeof preDeploy === "string") {
    preDeployCommand = str4(preDeploy) === void 0 ? void 0 : [preDeploy.trim()];
  } else if (Array.isArray(preDeploy)) {
    if (!preDeploy.every((c) => typeof c === "string")) {
      throw new ConfigError("railway-config", `${file}: deploy.preDeployCommand must be a string or a list of strings`);
    }
    const commands2 = preDeploy.map((c) => c.trim()).filter(Boolean);
    preDeployCommand = commands2.length ? commands2 : void 0;
  } else if (preDeploy !== void 0 && preDeploy !== null) {
    throw new ConfigError("railway-config", `${file}: deploy.preDeployCommand must be a string or a list of strings`);
  }
  return {
    file,
    label: file.endsWith(".toml") ? "railway.toml" : "railway.json",
    fieldPrefix: "",
    cronSchedule: str4(deploy2["cronSchedule"]),
    healthcheckPath: healthcheckPath === void 0 ? void 0 : parseUrlPath(`${path2.basename(file)} deploy.healthcheckPath`, healthcheckPath),
    healthcheckTimeoutMs: typeof timeout === "number" && timeout > 0 ? timeout * 1e3 : void 0,
    dockerfilePath: str4(build["dockerfilePath"]),
    startCommand: str4(deploy2["startCommand"]),
    preDeployCommand
  };
}

// src/config/iac/railway-iac.ts
import { randomUUID } from "node:crypto";
import path6 from "node:path";

// src/config/iac/databases.ts
import { randomBytes } from "node:crypto";
var PRIVATE_DOMAIN_SUFFIX = ".railway.internal";
var DATABASE = "railway";
var ENGINES = {
  postgres: {
    port: 5432,
    user: "postgres",
    containerEnv: (password) => ({ POSTGRES_USER: "postgres", POSTGRES_PASSWORD: password, POSTGRES_DB: DATABASE, PGDATA: "/var/lib/postgresql/data/pgdata" }),
    outputs: (host, password) => ({
      PGHOST: host,
      PGPORT: "5432",
      PGUSER: "postgres",
      PGPASSWORD: password,
      PGDATABASE: DATABASE,
      POSTGRES_USER: "postgres",
      POSTGRES_PASSWORD: password,
      POSTGRES_DB: DATABASE,
      PGDATA: "/var/lib/postgresql/data/pgdata",
      DATABASE_URL: `postgresql://postgres:${password}@${host}:5432/${DATABASE}`
    }),
    // Over TCP: the official image's first-start server listens on a socket only, so it never passes for ready.
    readiness: ["CMD-SHELL", 'pg_isready -h 127.0.0.1 -p 5432 -U "$$POSTGRES_USER" -d "$$POSTGRES_DB"']
  },
  redis: {
    port: 6379,
    user: "default",
    containerEnv: (password) => ({ REDIS_PASSWORD: password }),
    outputs: (host, password) => ({
      REDISHOST: host,
      REDISPORT: "6379",
      REDISUSER: "default",
      REDISPASSWORD: password,
      REDIS_PASSWORD: password,
      REDIS_URL: `redis://default:${password}@${host}:6379`
    }),
    readiness: ["CMD-SHELL", 'redis-cli -a "$$REDIS_PASSWORD" --no-auth-warning ping | grep -q PONG']
  },
  mysql: {
    port: 3306,
    user: "root",
    containerEnv: (password) => ({ MYSQL_ROOT_PASSWORD: password, MYSQL_DATABASE: DATABASE }),
    outputs: (host, password) => ({
      MYSQLHOST: host,
      MYSQLPORT: "3306",
      MYSQLUSER: "root",
      MYSQLPASSWORD: password,
      MYSQLDATABASE: DATABASE,
      MYSQL_ROOT_PASSWORD: password,
      MYSQL_DATABASE: DATABASE,
      MYSQL_URL: `mysql://root:${password}@${host}:3306/${DATABASE}`
    }),
    readiness: ["CMD-SHELL", 'mysqladmin ping -h 127.0.0.1 -uroot -p"$$MYSQL_ROOT_PASSWORD" --silent']
  },
  mongo: {
    port: 27017,
    user: "mongo",
    containerEnv: (password) => ({ MONGO_INITDB_ROOT_USERNAME: "mongo", MONGO_INITDB_ROOT_PASSWORD: password }),
    outputs: (host, password) => ({
      MONGOHOST: host,
      MONGOPORT: "27017",
      MONGOUSER: "mongo",
      MONGOPASSWORD: password,
      MONGO_INITDB_ROOT_USERNAME: "mongo",
      MONGO_INITDB_ROOT_PASSWORD: password,
      MONGO_URL: `mongodb://mongo:${password}@${host}:27017`
    }),
    readiness: ["CMD-SHELL", "mongosh --quiet --eval 'db.runCommand({ ping: 1 }).ok' | grep -q 1"]
  }
};
var KNOWN_ENGINES = Object.keys(ENGINES);
function databaseRun(db, password = randomBytes(12).toString("hex")) {
  const engine = ENGINES[db.engine];
  if (!engine || db.image === "") return void 0;
  const host = `${db.name}${PRIVATE_DOMAIN_SUFFIX}`;
  return {
    name: db.name,
    engine: db.engine,
    image: db.image,
    host,
    password,
    containerEnv: engine.containerEnv(password),
    outputs: engine.outputs(host, password),
    readiness: engine.readiness
  };
}

// src/config/iac/evaluate.ts
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, readFile as readFile2, rm, stat } from "node:fs/promises";
import os from "node:os";
import path3 from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

// src/config/iac/evaluator-script.ts
var EVALUATOR_SCRIPT = String.raw`
import { registerHooks } from 'node:module';
import { writeFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
const [file, out, sdk, contextJson] = process.argv.slice(1);
registerHooks({
  resolve(specifier, context, next) {
    try {
      return next(specifier, context);
    } catch (err) {
      if (specifier === 'railway/iac') return { url: sdk, shortCircuit: true };
      throw err;
    }
  },
});
try {
  const iac = await import('railway/iac');
  const ctx = iac.createRailwayContext({ command: 'plan', ...JSON.parse(contextJson) });
  const mod = await import(pathToFileURL(file).href);
  const entry = mod.default ?? mod.main ?? mod.Railway;
  const value = typeof entry === 'function' ? await entry(ctx, iac.project) : entry;
  writeFileSync(out, JSON.stringify({ partial: mod.partial ?? null, project: value ?? null }));
  process.exit(0);
} catch (err) {
  const detail = { message: String(err && err.message !== undefined ? err.message : err), stack: String((err && err.stack) || ''), code: err && err.code };
  writeFileSync(out + '.error', JSON.stringify(detail));
  process.exit(1);
}
`;

// src/config/iac/evaluate.ts
var EVALUATION_TIMEOUT_MS = 2e4;
var EVALUATION_MAX_BYTES = 4 * 1024 * 1024;
var OUTPUT_KEEP_BYTES = 16 * 1024;
var MIN_NODE = { v22: [22, 15], v23: [23, 5] };
async function evaluateRailwayFile(file, context, options = {}) {
  const node = options.node ?? evaluatingNode(file);
  const dir = await mkdtemp(path3.join(os.tmpdir(), "deploy-check-iac-"));
  const started = Date.now();
  try {
    const out = path3.join(dir, "graph.json");
    const child = await runChild(node, [file, out, sdkUrl(), JSON.stringify(context)], { dir, file, timeoutMs: options.timeoutMs ?? EVALUATION_TIMEOUT_MS });
    if (child.timedOut) {
      throw iacError(
        file,
        `did not finish within ${Math.round((options.timeoutMs ?? EVALUATION_TIMEOUT_MS) / 1e3)} s and was stopped; a Railway file must only describe the project (no network calls, no waiting)`
      );
    }
    const size = await stat(out).then(
      (s) => s.size,
      () => -1
    );
    if (child.code !== 0 || size < 0) {
      const detail = await readFile2(`${out}.error`, "utf8").then(
        (t) => parseDetail(t),
        () => void 0
      );
      throw iacError(file, failureSentence(file, { detail, stderr: child.stderr, code: child.code }));
    }
    if (size > EVALUATION_MAX_BYTES)
      throw iacError(file, `returned ${size} bytes, more than the ${EVALUATION_MAX_BYTES / 1024 / 1024} MiB a project description can be`);
    const parsed2 = JSON.parse(await readFile2(out, "utf8"));
    if (parsed2.project === void 0 || parsed2.project === null) {
      throw iacError(file, 'returned no project: its default export must be a project (project("name", { resources: [...] })) or a function that returns one');
    }
    return { project: parsed2.project, durationMs: Date.now() - started };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
function iacError(file, message) {
  return new ConfigError("railway-config", `${displayPath(file)} ${message}`);
}
function displayPath(file) {
  const relative = path3.relative(process.cwd(), file);
  return relative && !relative.startsWith("..") ? relative : file;
}
function runChild(node, args, options) {
  const flags = ["--experimental-strip-types", "--disable-warning=ExperimentalWarning", "--no-warnings", "--input-type=module", "-e", EVALUATOR_SCRIPT, "--"];
  return new Promise((resolve, reject) => {
    const child = spawn(node, [...flags, ...args], {
      cwd: path3.dirname(options.file),
      env: childEnvironment(options.file, options.dir),
      stdio: ["ignore", "ignore", "pipe"],
      detached: false
    });
    let stderr = "";
    child.stderr.setEncoding("utf8");
    child.stderr.on("data", (chunk) => {
      if (stderr.length < OUTPUT_KEEP_BYTES) stderr += chunk.slice(0, OUTPUT_KEEP_BYTES - stderr.length);
    });
    let timedOut2 = false;
    const timer = setTimeout(() => {
      timedOut2 = true;
      child.kill("SIGKILL");
    }, options.timeoutMs);
    child.on("error", (err) => {
      clearTimeout(timer);
      reject(iacError(options.file, `could not be evaluated: ${err.message}`));
    });
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code, timedOut: timedOut2, stderr });
    });
  });
}
function childEnvironment(file, home) {
  const env = { PATH: process.env["PATH"] ?? "/usr/local/bin:/usr/bin:/bin", HOME: home, TMPDIR: home, LANG: "C.UTF-8" };
  const modules = nearestNodeModules(path3.dirname(file));
  if (modules) env["NODE_PATH"] = modules;
  return env;
}
function nearestNodeModules(dir) {
  for (let current = dir; ; current = path3.dirname(current)) {
    const candidate = path3.join(current, "node_modules");
    if (existsSync(candidate)) return candidate;
    if (path3.dirname(current) === current) return void 0;
  }
}
function sdkUrl() {
  const here = path3.dirname(fileURLToPath(import.meta.url));
  for (const candidate of [path3.join(here, "railway-iac.js"), path3.join(here, "..", "railway-iac.js")]) {
    if (existsSync(candidate)) return pathToFileURL(candidate).href;
  }
  return import.meta.resolve("railway/iac");
}
function evaluatingNode(file) {
  const [major = 0, minor = 0] = process.versions.node.split(".").map(Number);
  const ok = major > 23 || major === 23 && minor >= MIN_NODE.v23[1] || major === 22 && minor >= MIN_NODE.v22[1];
  if (ok) return process.execPath;
  const named = process.env["DEPLOY_CHECK_NODE"];
  if (named) return named;
  throw iacError(
    file,
    `can only be evaluated by Node.js 22.15 or later (type stripping and module hooks), and this is ${process.version}; run deploy-check with a newer Node.js, or name one in DEPLOY_CHECK_NODE (GitHub runs the action on Node 24)`
  );
}
function parseDetail(text2) {
  try {
    const raw = JSON.parse(text2);
    const s = (v) => typeof v === "string" ? v : "";
    return { message: s(raw["message"]), stack: s(raw["stack"]), code: typeof raw["code"] === "string" ? raw["code"] : void 0 };
  } catch {
    return void 0;
  }
}
var UNSETTLED_AWAIT_EXIT = 13;
function failureSentence(file, failure) {
  const { detail, stderr, code } = failure;
  if (!detail && code === UNSETTLED_AWAIT_EXIT) return "never returned: its default export's promise never settled";
  const text2 = detail?.stack || stderr;
  const line = lineOf(file, text2);
  const where = line === void 0 ? "" : ` at line ${line}`;
  if (detail?.code === "ERR_INVALID_TYPESCRIPT_SYNTAX" || detail?.code === "ERR_UNSUPPORTED_TYPESCRIPT_SYNTAX" || /^SyntaxError/m.test(text2)) {
    return `does not compile${where}: ${firstLine(detail?.message ?? lastErrorLine(stderr))} (Railway's CLI evaluates it with Node's type stripping, which takes type annotations only: no enums, namespaces or parameter properties)`;
  }
  if (detail?.message !== void 0) return `threw${where}: ${firstLine(detail.message)}`;
  return `could not be evaluated (exit ${code ?? "signal"}): ${lastErrorLine(stderr) || "no output"}`;
}
function lineOf(file, text2) {
  const escaped = file.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  const match = new RegExp(`(?:file://)?${escaped}:(\\d+)`).exec(text2);
  return match?.[1] !== void 0 ? Number(match[1]) : void 0;
}
function firstLine(text2) {
  return (text2.split("\n").find((l) => l.trim() !== "") ?? text2).trim().slice(0, 300);
}
function lastErrorLine(stderr) {
  const lines = stderr.split("\n").map((l) => l.trim()).filter(Boolean);
  return (lines.find((l) => /Error\b/.test(l)) ?? lines.at(-1) ?? "").slice(0, 300);
}

// src/config/iac/find.ts
import { existsSync as existsSync2 } from "node:fs";
import path4 from "node:path";
function repositoryRoot(context, cwd, env = process.env) {
  const workspace = env["GITHUB_WORKSPACE"];
  if (workspace && isInside(context, path4.resolve(workspace))) return path4.resolve(workspace);
  for (let dir = context; ; dir = path4.dirname(dir)) {
    if (existsSync2(path4.join(dir, ".git"))) return dir;
    if (path4.dirname(dir) === dir) break;
  }
  return isInside(context, cwd) ? cwd : context;
}
function isInside(child, parent) {
  const relative = path4.relative(parent, child);
  return relative === "" || !relative.startsWith("..") && !path4.isAbsolute(relative);
}
function findIacFile(context, root) {
  const top = isInside(context, root) ? root : context;
  for (let dir = context; ; dir = path4.dirname(dir)) {
    const ts = path4.join(dir, ".railway", "railway.ts");
    if (existsSync2(ts)) return { kind: "typescript", file: ts };
    for (const other of ["railway.py", "railway.go"]) {
      const file = path4.join(dir, ".railway", other);
      if (existsSync2(file)) return { kind: "unsupported", file };
    }
    if (dir === top || path4.dirname(dir) === dir) return { kind: "none" };
  }
}

// src/config/iac/graph.ts
function isObject(value) {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
function str2(value) {
  return typeof value === "string" && value.trim() !== "" ? value : void 0;
}
function readProject(value) {
  if (!isObject(value)) return { ok: false, message: `returned ${Array.isArray(value) ? "a list" : typeof value}, not a project` };
  const resources = value["resources"];
  if (!Array.isArray(resources)) return { ok: false, message: 'returned an object without "resources": build it with project("name", { resources: [...] })' };
  const nodes = resources.flat(Infinity).filter(isObject);
  const services = [];
  const databases = [];
  for (const node of nodes) {
    const name = str2(node["name"]);
    if (name === void 0) continue;
    if (node["type"] === "service") services.push(readService(name, node));
    if (node["type"] === "database")
      databases.push({ name, address: str2(node["address"]) ?? `database.${name}`, engine: str2(node["engine"]) ?? "postgres", image: str2(node["image"]) ?? "" });
  }
  return { ok: true, project: { name: str2(value["name"]) ?? "", services, databases } };
}
function readService(name, node) {
  const source = isObject(node["source"]) ? node["source"] : void 0;
  const build = isObject(node["build"]) ? node["build"] : {};
  const deploy2 = isObject(node["deploy"]) ? node["deploy"] : {};
  const { startCommand, preDeployCommand, healthcheckPath, healthcheckTimeout, cronSchedule, ...rest } = deploy2;
  const timeout = typeof healthcheckTimeout === "number" && healthcheckTimeout > 0 ? healthcheckTimeout : void 0;
  const networking = isObject(node["networking"]) ? node["networking"] : {};
  return {
    name,
    address: str2(node["address"]) ?? `service.${name}`,
    kind: str2(node["kind"]) ?? "empty",
    source: source && {
      type: str2(source["type"]) ?? "empty",
      repo: str2(source["repo"]),
      branch: str2(source["branch"]),
      rootDirectory: str2(source["rootDirectory"]),
      image: str2(source["image"])
    },
    builder: str2(build["builder"]),
    dockerfilePath: str2(build["dockerfilePath"]),
    startCommand: str2(startCommand)?.trim(),
    preDeployCommand: commands(preDeployCommand),
    healthcheckPath: str2(healthcheckPath)?.trim(),
    healthcheckTimeout: timeout,
    cronSchedule: str2(cronSchedule),
    deploy: rest,
    variables: readVariables(node["variables"]),
    volumes: [
      ...Object.keys(isObject(node["volumeMounts"]) ? node["volumeMounts"] : {}).map((mountPath) => ({ mountPath, name: void 0 })),
      ...attachedVolumes(node["volumeAttachments"])
    ],
    tcpProxies: Object.keys(isObject(networking["tcpProxies"]) ? networking["tcpProxies"] : {})
  };
}
function commands(value) {
  const list2 = (Array.isArray(value) ? value : [value]).filter((c) => typeof c === "string").map((c) => c.trim()).filter(Boolean);
  return list2.length ? list2 : void 0;
}
function attachedVolumes(value) {
  if (!isObject(value)) return [];
  return Object.entries(value).flatMap(([name, a]) => isObject(a) && typeof a["mountPath"] === "string" ? [{ mountPath: a["mountPath"], name }] : []);
}
function readVariables(value) {
  const out = {};
  if (!isObject(value)) return out;
  for (const [key, v] of Object.entries(value)) {
    if (typeof v === "string") out[key] = { type: "literal", value: v };
    else if (!isObject(v)) out[key] = { type: "unsupported", what: typeof v };
    else if (v["type"] === "literal") out[key] = { type: "literal", value: typeof v["value"] === "string" ? v["value"] : JSON.stringify(v["value"] ?? "") };
    else if (v["type"] === "reference" && str2(v["resource"]) && str2(v["output"]))
      out[key] = { type: "reference", resource: String(v["resource"]), output: String(v["output"]) };
    else if (v["type"] === "sharedReference" && str2(v["name"])) out[key] = { type: "sharedReference", name: String(v["name"]) };
    else if (v["type"] === "preserve") out[key] = { type: "preserve" };
    else out[key] = { type: "unsupported", what: `a ${str2(v["type"]) ?? "raw"} value` };
  }
  return out;
}

// src/config/iac/service.ts
import path5 from "node:path";
function chooseService(project, facts) {
  const all = project.services;
  const names = all.map((s) => s.name).join(", ") || "(none)";
  if (facts.named !== void 0) {
    const byName = all.find((s) => s.name === facts.named);
    if (byName) return { ok: true, service: byName, how: "railway-service" };
    if (!/^[0-9a-f-]{36}$/i.test(facts.named)) return { ok: false, message: `has no service named "${facts.named}" (railway-service); services: ${names}` };
  }
  const fromSource = all.filter((s) => s.kind !== "docker-image" && s.kind !== "template" && s.source?.type !== "image");
  const repo = facts.repository?.toLowerCase();
  const here = fromSource.filter((s) => s.source?.type === "github" && (repo === void 0 || s.source.repo?.toLowerCase() === repo) && sameRoot(s, facts));
  if (here.length === 1 && here[0])
    return { ok: true, service: here[0], how: `built from ${facts.repository ?? "this repository"} with root directory ${rootOf(here[0])}` };
  const candidates = here.length > 1 ? here : fromSource;
  if (candidates.length === 1 && candidates[0]) return { ok: true, service: candidates[0], how: "the only service built from source" };
  if (candidates.length === 0) return { ok: false, message: `has no service built from source to check; services: ${names}` };
  return { ok: false, message: `has several services this could be (${candidates.map((s) => s.name).join(", ")}); set "railway-service" to the one to check` };
}
function rootOf(service) {
  return service.source?.rootDirectory ?? "/";
}
function sameRoot(service, facts) {
  const root = path5.resolve(facts.repoRoot, `.${path5.posix.sep}${rootOf(service).replace(/^\/+/, "")}`);
  return path5.resolve(root) === path5.resolve(facts.context);
}
function referencedDatabases(service, project) {
  const wanted = /* @__PURE__ */ new Set();
  for (const variable of Object.values(service.variables)) {
    if (variable.type === "reference") wanted.add(variable.resource);
    if (variable.type === "literal") for (const [, name] of variable.value.matchAll(/\$\{\{\s*([\w-]+)\.[\w]+\s*\}\}/g)) wanted.add(`database.${name ?? ""}`);
  }
  return project.databases.filter((d) => wanted.has(d.address));
}
var DEPLOY_EFFECTS = {
  numReplicas: "Railway runs this many replicas; the check runs one",
  multiRegionConfig: "Railway runs replicas in these regions; the check runs one, here",
  region: "Railway runs the service in this region",
  restartPolicyType: "Railway restarts the service by this policy; the check does not restart it",
  restartPolicyMaxRetries: "Railway retries a crashed service this many times",
  sleepApplication: "Railway puts the service to sleep when idle",
  overlapSeconds: "Railway keeps the old deployment this long beside the new one",
  drainingSeconds: "Railway gives the old deployment this long to stop",
  requiredMountPath: "Railway requires a volume at this path",
  limitOverride: "Railway limits the service's CPU and memory",
  runtime: "Railway runs the service on this runtime"
};
function notMirroredSettings(service) {
  const out = [];
  for (const [key, value] of Object.entries(service.deploy)) {
    if (value === void 0 || value === null || key === "numReplicas" && value === 1) continue;
    out.push({ setting: `deploy.${key}`, value: JSON.stringify(value), effect: DEPLOY_EFFECTS[key] ?? "not mirrored by the check" });
  }
  if (service.volumes.length)
    out.push({
      setting: "volumeMounts",
      value: service.volumes.map((v) => v.mountPath).join(", "),
      effect: "mounted here empty and owned by root, as Railway mounts a new volume (the pre-deploy command gets none, as on Railway); the data Railway's volume holds is not"
    });
  if (service.tcpProxies.length)
    out.push({ setting: "networking.tcpProxies", value: service.tcpProxies.join(", "), effect: "Railway exposes these TCP ports publicly" });
  return out;
}
function volumeMountProblem(service) {
  const bad = service.volumes.find((v) => !v.mountPath.startsWith("/") || v.mountPath === "/" || /[\x00-\x1f\x7f]/.test(v.mountPath));
  if (!bad) return void 0;
  return `${service.address} volumeMounts: ${JSON.stringify(bad.mountPath)} is not a mount path Railway accepts; give an absolute path other than /, such as /data`;
}

// src/config/iac/variables.ts
var TEMPLATE = /\$\{\{\s*(?:([\w-]+)\.)?([\w]+)\s*\}\}/g;
function remoteNeeds(service) {
  const shared = /* @__PURE__ */ new Set();
  const preserved = [];
  for (const [name, variable] of Object.entries(service.variables)) {
    if (variable.type === "sharedReference") shared.add(variable.name);
    if (variable.type === "preserve") preserved.push(name);
    if (variable.type === "literal") {
      for (const m of variable.value.matchAll(TEMPLATE)) if (m[1] === "shared" && m[2]) shared.add(m[2]);
    }
  }
  return { shared: [...shared], preserved };
}
function notRead(remote, what, missing) {
  if (remote === void 0) return `${what} lives only in Railway (give railway-token to read it, or set it with env)`;
  if (remote.unreadable !== void 0) return `${what} lives only in Railway and could not be read (${remote.unreadable}); set it with env`;
  return `${missing}; set it with env`;
}
function resolveVariables(service, facts) {
  const env = Object.entries(facts.provided).map(([key, value]) => ({ key, value }));
  const sources = env.map((e) => ({ name: e.key, source: "Railway" }));
  const unavailable2 = [];
  const secrets = new Set(facts.databases.map((d) => d.password));
  const fromRailway = /* @__PURE__ */ new Map();
  const lookup = referenceLookup(facts, secrets, fromRailway);
  const ownValue = (name) => env.find((e) => e.key === name)?.value;
  for (const [name, variable] of Object.entries(service.variables)) {
    let value;
    let source;
    let why2;
    if (variable.type === "literal") {
      const rendered = renderTemplate(variable.value, lookup, ownValue, facts.remote);
      value = rendered.value;
      source = rendered.references.length ? `literal with ${rendered.references.join(", ")}` : "literal";
      why2 = rendered.missing;
    } else if (variable.type === "reference") {
      source = `${variable.resource} ${variable.output}`;
      const resource = variable.resource.replace(/^(database|service)\./, "");
      value = lookup(resource, variable.output);
      if (value === void 0) why2 = `${variable.resource} gives no ${variable.output} here`;
    } else if (variable.type === "sharedReference") {
      source = `shared ${variable.name}`;
      value = lookup("shared", variable.name);
      if (value === void 0)
        why2 = notRead(facts.remote, `the shared variable ${variable.name}`, `Railway has no shared variable ${variable.name} in this environment`);
    } else if (variable.type === "preserve") {
      source = "preserve()";
      value = own(facts.remote?.service, name);
      if (value !== void 0) {
        secrets.add(value);
        fromRailway.set(name, value);
      } else why2 = notRead(facts.remote, "its value (preserve())", `preserve() keeps the service's value in Railway, and the service has no ${name} there`);
    } else {
      source = variable.what;
      why2 = `${variable.what} is not understood by deploy-check`;
    }
    if (value === void 0) {
      unavailable2.push({ name, source: why2 ?? source });
      continue;
    }
    const at = env.findIndex((e) => e.key === name);
    if (at >= 0) env.splice(at, 1);
    env.push({ key: name, value });
    sources.push({ name, source });
  }
  return {
    env,
    sources: dedupe(sources),
    unavailable: unavailable2,
    secrets: [...secrets].filter((s) => s.length > 0),
    fromRailway: [...fromRailway].map(([key, value]) => ({ key, value }))
  };
}
function own(map, name) {
  const value = map && Object.hasOwn(map, name) ? map[name] : void 0;
  return typeof value === "string" ? value : void 0;
}
function referenceLookup(facts, secrets, fromRailway) {
  return (resource, output) => {
    if (resource === "shared") {
      const value = own(facts.remote?.shared, output);
      if (value !== void 0) {
        secrets.add(value);
        fromRailway.set(`shared.${output}`, value);
      }
      return value;
    }
    const db = facts.databases.find((d) => d.name === resource);
    if (db) return db.outputs[output];
    const other = facts.otherServices.find((s) => s.name === resource);
    if (!other) return void 0;
    if (output === "RAILWAY_PRIVATE_DOMAIN") return `${other.name}${PRIVATE_DOMAIN_SUFFIX}`;
    if (output === "RAILWAY_SERVICE_NAME") return other.name;
    const literal = other.variables[output];
    return literal?.type === "literal" ? literal.value : void 0;
  };
}
function renderTemplate(text2, lookup, ownValue, remote) {
  const references = [];
  let missing;
  const value = text2.replace(TEMPLATE, (whole, resource, output) => {
    references.push(resource ? `${resource}.${output}` : output);
    const found = resource ? lookup(resource, output) : ownValue(output);
    if (found === void 0)
      missing ??= resource === "shared" ? `${whole} has no value here: ${notRead(remote, `the shared variable ${output}`, `Railway has no shared variable ${output} in this environment`)}` : `${whole} has no value here`;
    return found ?? "";
  });
  return missing === void 0 ? { value, references } : { value: void 0, references, missing };
}
function dedupe(sources) {
  const byName = /* @__PURE__ */ new Map();
  for (const s of sources) byName.set(s.name, s);
  return [...byName.values()];
}

// src/config/iac/railway-iac.ts
function locateIacFile(options) {
  if (options.fileInput) {
    const file = path6.resolve(options.cwd, options.fileInput);
    if (!file.endsWith(".ts")) throw new ConfigError("railway-config", `"${options.fileInput}" is not a TypeScript file; give the path of .railway/railway.ts`);
    return { file, note: void 0 };
  }
  const found = findIacFile(options.context, repositoryRoot(options.context, options.cwd));
  if (found.kind === "typescript") return { file: found.file, note: void 0 };
  if (found.kind === "unsupported") {
    return {
      file: void 0,
      note: `${found.file} is not read yet (deploy-check evaluates .railway/railway.ts; Railway's Python and Go files are in beta): the run follows the inputs and the Dockerfile`
    };
  }
  return { file: void 0, note: void 0 };
}
async function readRailwayIac(file, options) {
  const context = { environment: options.environment };
  const evaluation = await evaluateRailwayFile(file, context);
  const read = readProject(evaluation.project);
  if (!read.ok) throw iacError(file, read.message);
  const project = read.project;
  const choice = chooseService(project, {
    named: options.serviceInput,
    repository: options.repository,
    repoRoot: repositoryRoot(options.context, options.cwd),
    context: options.context
  });
  if (!choice.ok) throw iacError(file, choice.message);
  const service = choice.service;
  const badMount = volumeMountProblem(service);
  if (badMount) throw iacError(file, badMount);
  const referenced = referencedDatabases(service, project);
  const databases = referenced.map((db) => databaseRun(db)).filter((d) => d !== void 0);
  const unstartable = referenced.filter((db) => !databases.some((d) => d.name === db.name)).map((db) => `the ${db.engine} database "${db.name}" is not started: deploy-check starts ${KNOWN_ENGINES.join(", ")} databases with an image`);
  const resolution = {
    databases,
    provided: railwayProvided(service, project, options),
    remote: options.remote,
    otherServices: project.services.filter((s) => s !== service)
  };
  return {
    file,
    environment: options.environment,
    projectName: project.name,
    service,
    serviceChoice: choice.how,
    databases,
    unstartable,
    variables: resolveVariables(service, resolution),
    resolution,
    notMirrored: notMirroredSettings(service),
    evaluationMs: evaluation.durationMs,
    project
  };
}
function iacRemoteNeeds(iac) {
  const needs = iac && remoteNeeds(iac.service);
  return needs && (needs.shared.length > 0 || needs.preserved.length > 0) ? needs : void 0;
}
function withRemoteValues(iac, remote) {
  const resolution = { ...iac.resolution, remote };
  return { ...iac, resolution, variables: resolveVariables(iac.service, resolution) };
}
function railwayProvided(service, project, options) {
  const [owner, repo] = (options.repository ?? "").split("/");
  const volume = service.volumes[0];
  const vars = {
    RAILWAY_ENVIRONMENT: options.environment,
    RAILWAY_ENVIRONMENT_NAME: options.environment,
    RAILWAY_PROJECT_NAME: project.name || void 0,
    RAILWAY_SERVICE_NAME: service.name,
    RAILWAY_PRIVATE_DOMAIN: `${service.name}${PRIVATE_DOMAIN_SUFFIX}`,
    RAILWAY_PROJECT_ID: randomUUID(),
    RAILWAY_ENVIRONMENT_ID: randomUUID(),
    RAILWAY_SERVICE_ID: randomUUID(),
    RAILWAY_DEPLOYMENT_ID: randomUUID(),
    RAILWAY_REPLICA_ID: randomUUID(),
    RAILWAY_SNAPSHOT_ID: randomUUID(),
    RAILWAY_REPLICA_REGION: regionOf(service),
    RAILWAY_GIT_COMMIT_SHA: options.git.sha,
    RAILWAY_GIT_BRANCH: options.git.branch,
    RAILWAY_GIT_REPO_OWNER: owner || void 0,
    RAILWAY_GIT_REPO_NAME: repo || void 0,
    // Railway allows one volume per service; a volume without a name in the file gets one from Railway.
    RAILWAY_VOLUME_NAME: volume ? volume.name ?? `${service.name}-volume` : void 0,
    RAILWAY_VOLUME_MOUNT_PATH: volume?.mountPath
  };
  return Object.fromEntries(Object.entries(vars).filter((e) => e[1] !== void 0));
}
function regionOf(service) {
  const { region, multiRegionConfig } = service.deploy;
  if (typeof region === "string" && region) return region;
  const first = multiRegionConfig && typeof multiRegionConfig === "object" ? Object.keys(multiRegionConfig)[0] : void 0;
  return first;
}

// src/inputs/lines.ts
import { isIP } from "node:net";
function parseKeyValueLines(input, raw, what = "KEY=VALUE", options = {}) {
  const out = [];
  raw.split(/\r?\n/).forEach((line, index) => {
    const text2 = line.trim();
    if (text2 === "" || text2.startsWith("#")) return;
    const eq = text2.indexOf("=");
    const key = eq > 0 ? text2.slice(0, eq).trim() : "";
    if (!/^[A-Za-z_][A-Za-z0-9_.-]*$/.test(key)) {
      throw new ConfigError(input, `line ${index + 1} is not ${what} (the name must start with a letter or _ and be followed by =)`);
    }
    const value = text2.slice(eq + 1);
    const joined = options.literalNewlines === "keep" ? void 0 : joinedEntry(value);
    if (joined !== void 0) {
      throw new ConfigError(
        input,
        `line ${index + 1} holds a literal "\\n" followed by ${joined}=, so ${key} would get the rest of the line and ${joined} would not be set. Put each ${what} on its own line: a block (${input}: |) in a workflow; in a shell $'${key}=\u2026\\n${joined}=\u2026' or the flag repeated (--${input} ${key}=\u2026 --${input} ${joined}=\u2026)`
      );
    }
    const bytes = Buffer.byteLength(`${key}=${value}`) + 1;
    if (bytes > MAX_VARIABLE_BYTES) {
      throw new ConfigError(
        input,
        `line ${index + 1}: ${key} is ${formatBytes(bytes)}; one ${what} of at most 128 KiB is accepted (Linux passes no longer variable or argument to a process); put large content in a file`
      );
    }
    out.push({ key, value });
  });
  return out;
}
var MAX_VARIABLE_BYTES = 128 * 1024;
function formatBytes(bytes) {
  return bytes >= 1024 * 1024 ? `${(bytes / (1024 * 1024)).toFixed(1)} MiB` : `${(bytes / 1024).toFixed(1)} KiB`;
}
function joinedEntry(value) {
  return /\\n\s*([A-Za-z_][A-Za-z0-9_.-]*)=/.exec(value)?.[1];
}
function parseHostLines(input, raw) {
  return raw.split(/[\r\n,]+/).map((l) => l.trim()).filter(Boolean).map((entry) => {
    if (entry.includes("\\n")) {
      throw new ConfigError(
        input,
        `"${entry}" holds a literal "\\n": put each host:ip on its own line (in a shell, repeat --${input}), or separate them with commas`
      );
    }
    const m = /^([A-Za-z0-9_.-]+)[:=](\S+)$/.exec(entry);
    if (!m?.[1] || m[2] === void 0) {
      throw new ConfigError(input, `"${entry}" is not host:ip (for example "db.internal:10.0.0.5" or "api:host-gateway")`);
    }
    return `${m[1]}:${hostAddress(input, entry, m[2])}`;
  });
}
function hostAddress(input, entry, raw) {
  const address = /^\[(.*)\]$/.exec(raw)?.[1] ?? raw;
  if (address === "host-gateway" || isIP(address) !== 0) return address;
  throw new ConfigError(input, `"${entry}": "${raw}" is not an IP address; use an IPv4 address ("10.0.0.5"), an IPv6 one ("::1") or host-gateway`);
}
function parseCommand(input, raw) {
  const text2 = raw.trim();
  if (text2 === "") return void 0;
  if (text2.startsWith("[")) {
    let parsed2;
    try {
      parsed2 = JSON.parse(text2);
    } catch {
      throw new ConfigError(input, 'starts with "[" but is not a JSON array of strings');
    }
    if (!Array.isArray(parsed2) || parsed2.length === 0 || !parsed2.every((x) => typeof x === "string")) {
      throw new ConfigError(input, 'must be a non-empty JSON array of strings, e.g. ["python3","-m","app"]');
    }
    return parsed2;
  }
  return splitCommandWords(input, text2);
}
function splitCommandWords(input, raw) {
  const text2 = raw.trim();
  if (text2 === "") throw new ConfigError(input, "is empty");
  const words = [];
  let word;
  for (let i = 0; i < text2.length; i++) {
    const c = text2.charAt(i);
    if (/\s/.test(c)) {
      if (word !== void 0) words.push(word);
      word = void 0;
      continue;
    }
    word ??= "";
    if (c === "'" || c === '"') {
      const quoted = readQuoted(text2, i);
      if (!quoted) throw new ConfigError(input, `has a ${c} at character ${i + 1} that is never closed`);
      word += quoted.value;
      i = quoted.end;
    } else if (c === "\\" && i + 1 < text2.length) {
      word += text2.charAt(++i);
    } else {
      word += c;
    }
  }
  if (word !== void 0) words.push(word);
  return words;
}
function readQuoted(text2, start) {
  const quote = text2.charAt(start);
  let value = "";
  for (let i = start + 1; i < text2.length; i++) {
    const c = text2.charAt(i);
    if (c === quote) return { value, end: i };
    if (quote === '"' && c === "\\" && '"\\$`'.includes(text2.charAt(i + 1))) value += text2.charAt(++i);
    else value += c;
  }
  return void 0;
}

// src/inputs/units.ts
function parseStatusRanges(input, raw) {
  const parts = raw.split(",").map((p) => p.trim());
  if (parts.every((p) => p === "")) throw new ConfigError(input, 'is empty; use a status ("200"), a range ("200-399") or a list ("200,204")');
  if (parts.includes(""))
    throw new ConfigError(input, `"${raw.trim()}" has an empty entry between or after its commas; list statuses as "200,204" or "200-399"`);
  return parts.map((part) => {
    const m = /^(\d{3})(?:\s*-\s*(\d{3}))?$/.exec(part);
    const min = Number(m?.[1]);
    const max = m?.[2] === void 0 ? min : Number(m[2]);
    if (!m || min < 100 || max > 599 || max < min) {
      throw new ConfigError(input, `"${part}" is not an HTTP status or range; use e.g. "200", "200-399" or "200,204"`);
    }
    return { min, max };
  });
}
function statusMatches(ranges, status) {
  return ranges.some((r) => status >= r.min && status <= r.max);
}
function formatStatusRanges(ranges) {
  return ranges.map((r) => r.min === r.max ? `${r.min}` : `${r.min}-${r.max}`).join(",");
}

// src/config/publish.ts
var COMMENT_POLICIES = ["auto", "always", "never", "on-failure", "on-change"];
var ACTION_MODES = { check: "build, run and report", comment: "post the comment of a report-file" };
var DEFAULT_COMMENT_KEY = "default";
var COMMENT_KEY_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._/-]{0,63}$/;
function readPublishConfig(read) {
  const get = (name) => read(name).trim();
  const mode = parseChoice("mode", get("mode"), ACTION_MODES, { fallback: "check", what: "mode" });
  const comment = parseChoice("comment", get("comment"), COMMENT_POLICIES, { fallback: "auto", what: "comment policy" });
  const key = get("comment-key");
  if (key !== "" && !COMMENT_KEY_PATTERN.test(key)) {
    throw new ConfigError("comment-key", `"${key}" is not a comment key; use up to 64 letters, digits, ".", "_", "/" or "-", e.g. "api" or "services/worker"`);
  }
  const reportFile = get("report-file") || void 0;
  if (mode === "comment" && reportFile === void 0) {
    throw new ConfigError("report-file", 'mode "comment" needs the path of a report JSON (the check run\'s `report` output, e.g. downloaded from an artifact)');
  }
  return { mode, reportFile, comment, commentKey: key || void 0, token: get("github-token") || void 0 };
}

// src/config/cache.ts
import path7 from "node:path";
var DEFAULT_CACHE_TIMEOUT_MS = 10 * 6e4;
var KEY_SEPARATOR = "#";
function readCacheConfig(read, options) {
  const get = (name) => read(name).trim();
  return {
    enabled: parseBoolean("cache", get("cache"), true),
    mode: parseChoice("cache-mode", get("cache-mode"), ["max", "min"], { fallback: "max" }),
    keyPrefix: parseKeyPrefix(get("cache-key")),
    save: parseChoice("cache-save", get("cache-save"), ["always", "default-branch", "never"], { fallback: "always" }),
    timeoutMs: get("cache-timeout") ? parseDuration("cache-timeout", get("cache-timeout")) : DEFAULT_CACHE_TIMEOUT_MS,
    dir: options.cacheDir ? path7.resolve(options.cwd, options.cacheDir) : void 0
  };
}
function parseKeyPrefix(raw) {
  if (raw === "") return void 0;
  if (raw.includes(",")) throw new ConfigError("cache-key", `"${raw}" contains a comma, which cache keys may not hold`);
  if (raw.includes(KEY_SEPARATOR)) {
    throw new ConfigError("cache-key", `"${raw}" contains "${KEY_SEPARATOR}", which deploy-check puts between the prefix and the run's fingerprint`);
  }
  if (/[\s\p{Cc}]/u.test(raw)) throw new ConfigError("cache-key", `"${raw}" contains whitespace or control characters`);
  if (raw.length > 400) throw new ConfigError("cache-key", `is ${raw.length} characters long; keep it to 400 or fewer`);
  return raw;
}

// src/config/registry.ts
function readRegistryCredentials(read) {
  const username = read("registry-username").trim();
  const password = read("registry-password").replace(/\r?\n$/, "");
  if (username === "" && password === "") return void 0;
  if (username === "") throw new ConfigError("registry-username", "is empty but registry-password is set; give both or neither");
  if (password === "") throw new ConfigError("registry-password", "is empty but registry-username is set; give both or neither");
  if (/[\r\n]/.test(password)) throw new ConfigError("registry-password", "spans several lines; give the password or token alone");
  return { username, password };
}

// src/config/deploy.ts
var DEFAULT_DEPLOY_TIMEOUT_MS = 15 * 6e4;
var DEFAULT_SMOKE_TIMEOUT_MS = 6e4;
var RAILWAY_SECRET_INPUTS = ["railway-token"];
var REFERENCE = /^[a-z0-9]+(?:[._-][a-z0-9]+)*(?::\d+)?(?:\/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*(?::[\w][\w.-]{0,127})?$/;
function readDeployConfig(read) {
  const get = (name) => read(name).trim();
  const mode = parseChoice("deploy", get("deploy"), ["auto", "always", "never"], { fallback: "auto" });
  const source = parseChoice("deploy-source", get("deploy-source"), ["commit", "image"], { fallback: "commit" });
  const wait = parseBoolean("deploy-wait", get("deploy-wait"), true);
  const timeoutMs = get("deploy-timeout") ? parseDuration("deploy-timeout", get("deploy-timeout")) : DEFAULT_DEPLOY_TIMEOUT_MS;
  const onApproval = parseChoice("deploy-wait-approval", get("deploy-wait-approval"), ["pass", "fail"], { fallback: "fail" });
  const pushImage = get("push-image") || void 0;
  if (pushImage !== void 0) {
    if (pushImage.includes("@")) {
      throw new ConfigError("push-image", `"${pushImage}" carries a digest; give the repository (optionally with a tag), e.g. "ghcr.io/acme/shop"`);
    }
    if (!REFERENCE.test(pushImage)) {
      throw new ConfigError("push-image", `"${pushImage}" is not an image repository (lower-case, optional registry host and :tag), e.g. "ghcr.io/acme/shop"`);
    }
  }
  if (source === "image" && pushImage === void 0) {
    throw new ConfigError("push-image", 'deploy-source is "image": set push-image to the repository Railway pulls from, e.g. "ghcr.io/acme/shop"');
  }
  const smokePath = get("smoke-path") === "" ? "" : parseUrlPath("smoke-path", get("smoke-path"));
  if (smokePath !== "" && !smokePath.startsWith("/")) throw new ConfigError("smoke-path", `"${smokePath}" must start with "/" (e.g. "/health")`);
  const smokeTimeoutMs = get("smoke-timeout") ? parseDuration("smoke-timeout", get("smoke-timeout")) : DEFAULT_SMOKE_TIMEOUT_MS;
  const trigger = parseChoice("deploy-trigger", get("deploy-trigger"), ["auto", "api"], { fallback: "auto" });
  const rollback = parseBoolean("deploy-rollback", get("deploy-rollback"), true);
  const preview = parseBoolean("railway-preview", get("railway-preview"), false);
  const railway = readAccess(read);
  if (mode === "always" && railway === void 0) {
    throw new ConfigError("railway-token", 'deploy is "always" but no Railway token is given; pass a project token (or an account token with railway-project)');
  }
  if (preview && railway?.tokenType === "project") {
    throw new ConfigError(
      "railway-preview",
      `creating an environment per pull request needs an account or workspace token, and railway-token is used as a project token (railway-token-type: ${railway.tokenTypeGuessed ? "auto, because railway-project is not set" : "project"}): pass an account or workspace token with railway-token-type: account and railway-project`
    );
  }
  return {
    mode,
    source,
    pushImage,
    wait,
    timeoutMs,
    onApproval,
    smoke: smokePath ? { path: smokePath, timeoutMs: smokeTimeoutMs } : void 0,
    trigger,
    rollback,
    preview,
    railway
  };
}
function readAccess(read) {
  const token = read("railway-token").trim();
  const tokenTypeInput = parseChoice("railway-token-type", read("railway-token-type"), ["auto", "project", "account"], { fallback: "auto" });
  const project = read("railway-project").trim() || void 0;
  const environment = read("railway-environment").trim() || void 0;
  const service = read("railway-service").trim() || void 0;
  if (token === "") return void 0;
  if (/\s/.test(token)) throw new ConfigError("railway-token", "contains white space; pass the token alone (a secret, e.g. ${{ secrets.RAILWAY_TOKEN }})");
  const tokenType = tokenTypeInput === "auto" ? project !== void 0 ? "account" : "project" : tokenTypeInput;
  if (tokenType === "account" && project === void 0) {
    throw new ConfigError("railway-project", "an account or workspace token reaches many projects: set railway-project to the project ID (or name)");
  }
  return { token, tokenType, tokenTypeGuessed: tokenTypeInput === "auto", project, environment, service };
}

// src/config/size.ts
import { existsSync as existsSync3, statSync } from "node:fs";
import path8 from "node:path";

// src/inputs/image-reference.ts
var DOCKER_HUB = "registry-1.docker.io";
var COMPONENT = "[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*";
var DOMAIN = "(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?(?:\\.[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)*|\\[[0-9a-fA-F:]+\\])(?::\\d+)?";
var REFERENCE2 = new RegExp(`^(?:(${DOMAIN})/)?(${COMPONENT}(?:/${COMPONENT})*)(?::([\\w][\\w.-]{0,127}))?(?:@(sha256:[a-f0-9]{64}))?$`);
function parseImageReference(text2) {
  const m = REFERENCE2.exec(text2.trim());
  if (!m || m[2] === void 0) return void 0;
  let domain = m[1];
  let repository = m[2];
  if (domain !== void 0 && !/[.:]|^localhost$|^\[/.test(domain)) {
    repository = `${domain}/${repository}`;
    domain = void 0;
  }
  if (/[A-Z]/.test(repository)) return void 0;
  let registry = domain ?? "docker.io";
  if (registry === "docker.io" || registry === "index.docker.io") {
    registry = DOCKER_HUB;
    if (!repository.includes("/")) repository = `library/${repository}`;
  }
  const digest = m[4];
  const tag = m[3] ?? (digest === void 0 ? "latest" : void 0);
  return { registry, repository, tag, digest, text: text2.trim() };
}
function registryBaseUrl(registry) {
  const host = registry.replace(/:\d+$/, "");
  const plain = host === "localhost" || /^127\.\d+\.\d+\.\d+$/.test(host) || host === "[::1]";
  return `${plain ? "http" : "https"}://${registry}`;
}

// src/config/size.ts
var SIZE_METRICS = { compressed: "what a registry stores and Railway pulls", uncompressed: "what sits on disk" };
var DEFAULT_COMMENT_THRESHOLD = "1%";
function readSizeConfig(get, cwd, registry) {
  const maxSizeRaw = get("max-size");
  let maxSize;
  if (maxSizeRaw) {
    const amount = parseSizeAmount("max-size", maxSizeRaw, { percent: false });
    if (amount.kind !== "bytes" || amount.bytes <= 0) throw new ConfigError("max-size", `"${maxSizeRaw}" must be greater than zero`);
    maxSize = amount;
  }
  const maxIncreaseRaw = get("max-increase");
  const maxIncrease = maxIncreaseRaw ? parseSizeAmount("max-increase", maxIncreaseRaw, { percent: true }) : void 0;
  const maxWastedRaw = get("max-wasted");
  const maxWasted = maxWastedRaw ? parseSizeAmount("max-wasted", maxWastedRaw, { percent: true }) : void 0;
  const metric = parseChoice("size-metric", get("size-metric"), SIZE_METRICS, { fallback: "compressed", what: "size metric" });
  const commentThreshold = parseSizeAmount("size-comment-threshold", get("size-comment-threshold") || DEFAULT_COMMENT_THRESHOLD, { percent: true });
  return {
    baseline: parseBaseline(get("baseline"), cwd),
    registryCredentials: registry,
    maxSize,
    maxIncrease,
    maxWasted,
    metric,
    commentThreshold
  };
}
function parseBaseline(raw, cwd) {
  const text2 = raw.trim();
  if (text2 === "" || text2.toLowerCase() === "auto") return { kind: "auto" };
  if (text2.toLowerCase() === "none") return { kind: "none" };
  const file = path8.resolve(cwd, text2);
  if (existsSync3(file) && statSync(file).isFile()) return { kind: "file", path: file };
  if (/\.json$/i.test(text2) || text2.startsWith("./") || text2.startsWith("../") || text2.startsWith("/")) {
    throw new ConfigError("baseline", `no report file at ${file}; give the path of a deploy-check JSON report, an image reference, auto or none`);
  }
  const ref = parseImageReference(text2);
  if (!ref) {
    throw new ConfigError("baseline", `"${text2}" is neither auto, none, a report JSON file nor an image reference (registry/name:tag or name@sha256:...)`);
  }
  return { kind: "image", ref };
}

// src/model/findings.ts
var FINDING_KINDS = {
  "root-user": { severity: "error", about: "the image runs as root" },
  "unknown-user": { severity: "error", about: "the image runs as a user that does not exist in it" },
  "secret-file": { severity: "error", about: "a secret file is in a layer of the image (also when a later layer deletes it)" },
  "git-directory": { severity: "warning", about: "a .git directory is in the image" },
  "secret-env": { severity: "error", about: "an ENV or ARG default carries a secret-looking value" },
  "secret-build-arg": { severity: "error", about: "a secret-looking build argument is recorded in the image history" },
  "secret-value": {
    severity: "error",
    about: "a file holds a secret recognised by its value (a known token format or a given secret), also when a later layer deletes it"
  },
  "secret-in-history": { severity: "error", about: "a command recorded in the image history holds a secret value" },
  "placeholder-credentials": {
    severity: "info",
    about: "values shaped like credentials that are not secrets: placeholders, trivial passwords for local hosts, documentation, example, test and CI files"
  },
  "setuid-file": { severity: "warning", about: "setuid/setgid files (info when they come with the base image)" },
  "world-writable": { severity: "warning", about: "world-writable files or directories outside /tmp" },
  "empty-password": { severity: "error", about: "an account in /etc/shadow has an empty password" },
  "no-healthcheck": { severity: "warning", about: "no HEALTHCHECK and no health path configured" },
  "no-dockerignore": { severity: "warning", about: "the build context has no .dockerignore" },
  "dockerignore-gaps": { severity: "warning", about: ".dockerignore does not exclude .env, .git, node_modules or .venv" },
  "large-context": { severity: "warning", about: "the build context sent to the builder is large" },
  "package-cache": { severity: "warning", about: "a package-manager cache is left in a layer" },
  "compiler-in-final-stage": { severity: "warning", about: "compilers reached the final stage of a multi-stage build" },
  "scan-incomplete": { severity: "warning", about: "the image layers could not be read, so file checks did not run" }
};
var FINDING_IDS = Object.keys(FINDING_KINDS);
function isFindingId(id) {
  return Object.hasOwn(FINDING_KINDS, id);
}
function isSecretFinding(id) {
  return id.startsWith("secret-");
}

// src/config/hygiene.ts
var HYGIENE_MODES = {
  secrets: "the default: fail on secrets in the image, report the rest",
  warn: "report findings, pass",
  fail: "fail on every error finding",
  off: "no hygiene check"
};
function readHygieneConfig(read) {
  const mode = parseChoice("hygiene", read("hygiene"), HYGIENE_MODES, { fallback: "secrets", what: "hygiene mode" });
  const ids = read("hygiene-ignore").split(/[\s,]+/).map((id) => id.trim().toLowerCase()).filter(Boolean);
  const unknown = ids.filter((id) => !isFindingId(id));
  if (unknown.length > 0) {
    throw new ConfigError(
      "hygiene-ignore",
      `unknown finding id${unknown.length > 1 ? "s" : ""} ${unknown.map((id) => `"${id}"`).join(", ")}; valid ids: ${FINDING_IDS.join(", ")}`
    );
  }
  return { mode, ignore: [...new Set(ids)].filter(isFindingId) };
}

// src/config/compose.ts
import { existsSync as existsSync4, statSync as statSync2 } from "node:fs";
import path10 from "node:path";

// src/compose/compose.ts
import { execFile, spawn as spawn2 } from "node:child_process";
function composeArgs(project, args) {
  return ["compose", "--progress", "plain", "-p", project.project, ...project.files.flatMap((f) => ["-f", f]), ...args];
}
function runCompose(project, args, timeoutMs = 0) {
  return runDocker(composeArgs(project, args), timeoutMs);
}
var running = /* @__PURE__ */ new Set();
function track(child) {
  running.add(child);
  child.once("close", () => running.delete(child));
  child.once("error", () => running.delete(child));
}
async function stopComposeProcesses() {
  const children = [...running];
  await Promise.all(
    children.map(
      (child) => new Promise((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        const timer = setTimeout(() => {
          child.kill("SIGKILL");
          resolve();
        }, 5e3);
        child.once("close", () => {
          clearTimeout(timer);
          resolve();
        });
        child.kill("SIGTERM");
      })
    )
  );
}
function runDocker(args, timeoutMs = 0) {
  return new Promise((resolve) => {
    const command = dockerCommand(args);
    const child = execFile(command.file, command.args, { maxBuffer: 64 * 1024 * 1024, timeout: timeoutMs, encoding: "utf8" }, (err, stdout, stderr) => {
      const code = err ? typeof err.code === "number" ? Number(err.code) : 1 : 0;
      const spawnError = err && typeof err.code === "string" ? `${err.message}
` : "";
      resolve({ code, stdout, stderr: spawnError + stderr });
    });
    track(child);
  });
}
function startCompose(project, args) {
  const command = dockerCommand(composeArgs(project, args));
  const child = spawn2(command.file, command.args, { stdio: ["ignore", "pipe", "pipe"] });
  track(child);
  let stdout = "";
  let stderr = "";
  child.stdout?.setEncoding("utf8").on("data", (d) => stdout += d);
  child.stderr?.setEncoding("utf8").on("data", (d) => stderr += d);
  const done = new Promise((resolve) => {
    child.on("error", (err) => resolve({ code: 1, stdout, stderr: `${stderr}${err.message}
` }));
    child.on("close", (code) => resolve({ code: code ?? 1, stdout, stderr }));
  });
  return { done, stop: () => void child.kill("SIGTERM") };
}
async function composeVersion() {
  const result = await runDocker(["compose", "version", "--short"], 2e4);
  return result.code === 0 ? result.stdout.trim() : null;
}
var WARNING_LINE = /^\s*(?:time="[^"]*"\s+)?level=warn(?:ing)?\s+msg="((?:[^"\\]|\\.)*)"|^\s*WARN\[\d+\]\s+(.*)$/;
function composeWarnings(stderr) {
  const out = [];
  for (const line of stderr.split(/\r?\n/)) {
    const match = WARNING_LINE.exec(line);
    if (!match) continue;
    const text2 = (match[1] !== void 0 ? match[1].replace(/\\(.)/g, "$1") : match[2] ?? "").trim();
    if (text2 && !out.includes(text2)) out.push(text2);
  }
  return out;
}
function isComposeWarning(line) {
  return WARNING_LINE.test(line);
}

// src/compose/model.ts
function isObject2(value) {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
function str3(value) {
  return typeof value === "string" ? value : void 0;
}
var CONDITIONS = ["service_started", "service_healthy", "service_completed_successfully"];
function parseComposeModel(text2) {
  const raw = JSON.parse(text2);
  if (!isObject2(raw) || !isObject2(raw["services"])) throw new Error('docker compose config printed no "services"');
  const services = {};
  for (const [name2, value] of Object.entries(raw["services"])) {
    if (isObject2(value)) services[name2] = parseService(name2, value);
  }
  const name = str3(raw["name"]) ?? "";
  return { name, services, networks: parseResources(raw["networks"], name), volumes: parseResources(raw["volumes"], name) };
}
function parseService(name, s) {
  const build = isObject2(s["build"]) && str3(s["build"]["context"]) ? { context: str3(s["build"]["context"]) ?? "", dockerfile: str3(s["build"]["dockerfile"]), target: str3(s["build"]["target"]) } : void 0;
  const dependsOn = {};
  if (isObject2(s["depends_on"])) {
    for (const [dep, v] of Object.entries(s["depends_on"])) {
      const condition = isObject2(v) ? str3(v["condition"]) : void 0;
      dependsOn[dep] = {
        condition: CONDITIONS.find((c) => c === condition) ?? "service_started",
        required: !(isObject2(v) && v["required"] === false)
      };
    }
  }
  const environment = {};
  if (isObject2(s["environment"])) {
    for (const [k, v] of Object.entries(s["environment"])) if (typeof v === "string") environment[k] = v;
  }
  const networks = {};
  if (isObject2(s["networks"])) {
    for (const [k, v] of Object.entries(s["networks"])) {
      networks[k] = isObject2(v) && Array.isArray(v["aliases"]) ? v["aliases"].filter((a) => typeof a === "string") : [];
    }
  }
  const volumes = Array.isArray(s["volumes"]) ? s["volumes"].filter(isObject2).map((v) => ({ type: str3(v["type"]) ?? "volume", source: str3(v["source"]), target: str3(v["target"]) ?? "" })) : [];
  const hc = s["healthcheck"];
  const healthcheck = isObject2(hc) ? {
    test: Array.isArray(hc["test"]) ? hc["test"].filter((t) => typeof t === "string") : void 0,
    disable: hc["disable"] === true,
    startPeriod: str3(hc["start_period"])
  } : void 0;
  return {
    name,
    image: str3(s["image"]),
    build,
    dependsOn,
    environment,
    networks,
    networkMode: str3(s["network_mode"]),
    volumes,
    healthcheck,
    containerName: str3(s["container_name"])
  };
}
function parseResources(value, project) {
  const out = {};
  if (!isObject2(value)) return out;
  for (const [key, v] of Object.entries(value)) {
    const external = isObject2(v) && (v["external"] === true || isObject2(v["external"]));
    out[key] = { name: (isObject2(v) ? str3(v["name"]) : void 0) ?? `${project}_${key}`, external };
  }
  return out;
}

// src/compose/plan.ts
import path9 from "node:path";
function projectName(runId) {
  return `deploy-check-${runId}`.toLowerCase().replace(/[^a-z0-9_-]/g, "-");
}
function chooseAppService(model, context, named) {
  const names = Object.keys(model.services);
  if (named !== void 0) {
    return model.services[named] ? { ok: true, service: named, source: "input" } : { ok: false, message: `no service "${named}" in the Compose file; services: ${names.join(", ") || "(none)"}` };
  }
  const same = names.filter((n) => {
    const build = model.services[n]?.build;
    return build !== void 0 && samePath(build.context, context);
  });
  const top = same.filter((n) => !same.some((other) => other !== n && dependencyClosure(model, other).some((d) => d.name === n)));
  if (top.length === 1 && top[0] !== void 0) return { ok: true, service: top[0], source: "build context" };
  const why2 = same.length === 0 ? `no service builds ${context}` : `several services build ${context} (${same.join(", ")})`;
  return { ok: false, message: `${why2}; set "compose-service" to the app's service; services: ${names.join(", ") || "(none)"}` };
}
function samePath(a, b) {
  return path9.resolve(a).replace(/\/+$/, "") === path9.resolve(b).replace(/\/+$/, "");
}
var STRENGTH = { service_started: 0, service_healthy: 1, service_completed_successfully: 2 };
function dependencyClosure(model, app) {
  const order = [];
  const seen = /* @__PURE__ */ new Set([app]);
  const visit = (name) => {
    for (const dep of Object.keys(model.services[name]?.dependsOn ?? {})) {
      if (seen.has(dep) || !model.services[dep]) continue;
      seen.add(dep);
      visit(dep);
      order.push(dep);
    }
  };
  visit(app);
  const members = /* @__PURE__ */ new Set([app, ...order]);
  return order.map((name) => {
    let condition = "service_started";
    for (const member of members) {
      const wanted = model.services[member]?.dependsOn[name]?.condition;
      if (wanted && STRENGTH[wanted] > STRENGTH[condition]) condition = wanted;
    }
    return { name, condition, after: Object.keys(model.services[name]?.dependsOn ?? {}).filter((d) => members.has(d)) };
  });
}
function buildsCheckedImage(service, checked) {
  const build = service.build;
  if (!build || !samePath(build.context, checked.context)) return false;
  return samePath(path9.resolve(build.context, build.dockerfile ?? "Dockerfile"), checked.dockerfile) && (build.target ?? void 0) === checked.target;
}
function composeOverride(model, deps, options) {
  const services = {};
  for (const dep of deps) {
    const service = model.services[dep.name];
    if (!service) continue;
    const entry = { labels: { ...options.labels } };
    if (options.checkedImage.services.includes(dep.name)) entry["image"] = options.checkedImage.ref;
    else if (service.build) entry["build"] = { labels: { ...options.labels } };
    Object.assign(entry, ownContainerName(model, service));
    const hc = service.healthcheck;
    if (options.startIntervalMs !== null && hc && !hc.disable && hc.test?.length && hc.test[0] !== "NONE") {
      entry["healthcheck"] = {
        start_period: `${Math.max(options.startPeriodMs, durationMs(hc.startPeriod))}ms`,
        start_interval: `${options.startIntervalMs}ms`
      };
    }
    services[dep.name] = entry;
  }
  const labelled = (resources) => Object.fromEntries(
    Object.entries(resources).filter(([, r]) => !r.external).map(([key]) => [key, { labels: { ...options.labels } }])
  );
  const override = { services };
  const networks = labelled(model.networks);
  const volumes = labelled(model.volumes);
  if (Object.keys(networks).length) override["networks"] = networks;
  if (Object.keys(volumes).length) override["volumes"] = volumes;
  return override;
}
function ownContainerName(model, service) {
  const fixed2 = service.containerName;
  if (!fixed2) return {};
  const entry = { container_name: runContainerName(model, fixed2) };
  if (!service.networkMode) entry["networks"] = Object.fromEntries(Object.keys(service.networks).map((key) => [key, { aliases: [fixed2] }]));
  return entry;
}
function runContainerName(model, fixed2) {
  return `${model.name}-${fixed2}`;
}
function containerNames(model, deps) {
  return deps.flatMap((dep) => {
    const fixed2 = model.services[dep.name]?.containerName;
    return fixed2 ? [{ service: dep.name, fixed: fixed2, name: runContainerName(model, fixed2) }] : [];
  });
}
function durationMs(text2) {
  if (!text2) return 0;
  let total = 0;
  for (const [, n, unit] of text2.matchAll(/([\d.]+)(h|ms|m|s|us|µs|ns)/g)) {
    const value = Number(n);
    total += unit === "h" ? value * 36e5 : unit === "m" ? value * 6e4 : unit === "s" ? value * 1e3 : unit === "ms" ? value : 0;
  }
  return Math.round(total);
}
function appPlacement(model, app, inputEnv) {
  const service = model.services[app];
  if (!service) throw new Error(`no service "${app}"`);
  const overridden = new Set(inputEnv.map((e) => e.key));
  const env = [
    ...Object.entries(service.environment).filter(([k]) => !overridden.has(k)).map(([key, value]) => ({ key, value })),
    ...inputEnv
  ];
  const keys = Object.keys(service.networks);
  const networks = (keys.length ? keys : ["default"]).map((key) => ({
    name: model.networks[key]?.name ?? `${model.name}_${key}`,
    // Under Compose its container_name resolves too; deploy-check names the app's container itself.
    aliases: [.../* @__PURE__ */ new Set([app, ...service.containerName ? [service.containerName] : [], ...service.networks[key] ?? []])],
    external: model.networks[key]?.external ?? false
  }));
  const droppedMounts = service.volumes.filter((v) => v.type === "bind").map((v) => `${v.source ?? "?"}:${v.target}`);
  const ignored = [];
  const others = service.volumes.filter((v) => v.type !== "bind");
  if (others.length) ignored.push(`volumes ${others.map((v) => `${v.source ?? "(anonymous)"}:${v.target}`).join(", ")} are not mounted`);
  if (service.networkMode) ignored.push(`network_mode "${service.networkMode}" is not used: the app joins the project's networks`);
  return { service: app, networks, env, droppedMounts, ignored };
}

// src/config/compose.ts
async function readComposeConfig(get, options) {
  const fileInput = get("compose-file");
  const serviceInput = get("compose-service") || void 0;
  if (!fileInput) {
    if (serviceInput)
      throw new ConfigError("compose-service", 'is set but "compose-file" is empty; set compose-file to the Compose file that defines the service');
    return void 0;
  }
  const file = path10.resolve(options.cwd, fileInput);
  if (!existsSync4(file) || !statSync2(file).isFile()) {
    throw new ConfigError("compose-file", `no file at ${file}; give the path of a Compose file (e.g. docker-compose.yml)`);
  }
  const version = await composeVersion();
  if (version === null) {
    throw new ConfigError(
      "compose-file",
      "needs Docker Compose v2 (the `docker compose` plugin), which is not installed; install it (Debian/Ubuntu: docker-compose-plugin or docker-compose 2.x)"
    );
  }
  const project = projectName(options.runId);
  const resolved = await runCompose({ project, files: [file] }, ["config", "--format", "json"], 6e4);
  if (resolved.code !== 0) {
    throw new ConfigError("compose-file", `docker compose cannot read ${file}: ${lastLines(resolved.stderr, 5)}`);
  }
  const model = parseComposeModel(resolved.stdout);
  const choice = chooseAppService(model, options.context, serviceInput);
  if (!choice.ok) throw new ConfigError("compose-service", choice.message);
  return { file, project, service: choice.service, serviceSource: choice.source, model, composeVersion: version, warnings: composeWarnings(resolved.stderr) };
}
function lastLines(text2, count) {
  return text2.trim().split(/\r?\n/).slice(-count).join(" | ");
}

// src/config/iac/compose-databases.ts
async function railwayDatabasesCompose(iac, runId) {
  if (iac.databases.length === 0) return void 0;
  const version = await composeVersion();
  if (version === null) {
    throw new ConfigError(
      "railway-config",
      `${iac.file} declares ${iac.databases.map((d) => d.name).join(", ")}, which deploy-check starts with Docker Compose v2 (the \`docker compose\` plugin), and it is not installed; install it (Debian/Ubuntu: docker-compose-plugin or docker-compose 2.x)`
    );
  }
  const project = projectName(runId);
  const app = iac.service.name;
  const services = {
    [app]: {
      image: "deploy-check-app-placeholder",
      depends_on: Object.fromEntries(iac.databases.map((d) => [d.name, { condition: "service_healthy", required: true }])),
      networks: { default: { aliases: [`${app}${PRIVATE_DOMAIN_SUFFIX}`] } }
    }
  };
  for (const db of iac.databases) {
    services[db.name] = {
      image: db.image,
      // Compose interpolates "$" in its files; the values are literal.
      environment: Object.fromEntries(Object.entries(db.containerEnv).map(([k, v]) => [k, v.replaceAll("$", "$$")])),
      healthcheck: { test: [...db.readiness], interval: "1s", timeout: "5s", retries: 3, start_period: "300s" },
      networks: { default: { aliases: [db.host] } }
    };
  }
  const document = { name: project, services, networks: { default: { name: `${project}_default` } } };
  return {
    file: iac.file,
    project,
    service: app,
    serviceSource: "input",
    composeVersion: version,
    model: parseComposeModel(JSON.stringify(document)),
    generated: document
  };
}

// src/secrets/lookalikes.ts
var LOOKALIKE_LABELS = {
  placeholder: "a placeholder",
  patterned: "a made-up value (a sequence, a repeat or words, not random)",
  "local-trivial": "a trivial password for a local or Compose service host",
  documentation: "in documentation",
  example: "in an example or sample file",
  test: "in a test file",
  ci: "in a CI configuration file",
  "public-by-design": "a key public by design"
};
var WORDS = /* @__PURE__ */ new Set([
  "a",
  "my",
  "your",
  "yours",
  "our",
  "the",
  "this",
  "is",
  "it",
  "me",
  "not",
  "no",
  "here",
  "goes",
  "put",
  "insert",
  "enter",
  "set",
  "just",
  "an",
  "to",
  "for",
  "of",
  "and",
  "tu",
  "su",
  "mi",
  "de",
  "la",
  "el",
  "votre",
  "ton",
  "dein",
  "ihr",
  "seu",
  "sua",
  "pass",
  "passw",
  "password",
  "passwd",
  "passphrase",
  "pwd",
  "pw",
  "secret",
  "secrets",
  "key",
  "keys",
  "token",
  "api",
  "auth",
  "login",
  "cred",
  "creds",
  "credential",
  "credentials",
  "contrase\xF1a",
  "contrasena",
  "clave",
  "senha",
  "motdepasse",
  "mot",
  "passe",
  "passwort",
  "kennwort",
  "geheim",
  "parola",
  "wachtwoord",
  "usuario",
  "utilisateur",
  "benutzer",
  "change",
  "changeme",
  "changeit",
  "replace",
  "update",
  "fill",
  "todo",
  "fixme",
  "tbd",
  "example",
  "sample",
  "demo",
  "test",
  "tests",
  "testing",
  "dummy",
  "fake",
  "mock",
  "stub",
  "placeholder",
  "default",
  "defaults",
  "redacted",
  "hidden",
  "foo",
  "bar",
  "baz",
  "qux",
  "hello",
  "world",
  "dev",
  "devel",
  "develop",
  "development",
  "local",
  "localhost",
  "ci",
  "staging",
  "prod",
  "production",
  "insecure",
  "unsafe",
  "real",
  "value",
  "random",
  "strong",
  "super",
  "top",
  "very",
  "long",
  "some",
  "other",
  "new",
  "old",
  "good",
  "bad",
  "only",
  "use",
  "used",
  "user",
  "username",
  "users",
  "admin",
  "administrator",
  "root",
  "guest",
  "owner",
  "app",
  "application",
  "service",
  "server",
  "client",
  "web",
  "site",
  "project",
  "account",
  "name",
  "host",
  "db",
  "database",
  "postgres",
  "postgresql",
  "pg",
  "sql",
  "mysql",
  "maria",
  "mariadb",
  "mongo",
  "mongodb",
  "redis",
  "rabbit",
  "rabbitmq",
  "amqp",
  "celery",
  "broker",
  "queue",
  "cache",
  "minio",
  "minioadmin",
  "keycloak",
  "airflow",
  "elastic",
  "kibana",
  "grafana",
  "sa",
  "django",
  "flask",
  "fastapi",
  "rails",
  "node",
  "docker",
  "compose",
  "github",
  "gitlab",
  "stripe",
  "aws",
  "slack",
  "jwt",
  "live",
  "sk",
  "pk",
  "abc",
  "xyz",
  "xxx",
  "qwerty",
  "qwertyuiop",
  "asdf",
  "asdfgh",
  "asdfghjkl",
  "zxcv",
  "zxcvbnm",
  "letmein",
  "welcome",
  "hunter",
  "iloveyou",
  "monkey",
  "dragon",
  "trustno",
  "abcdef",
  "abcd"
]);
var TEMPLATE2 = /\$\{[^}]*\}|\{\{[^}]*\}\}|\{%[^%]*%\}|<[^>]*>|%\([A-Za-z_]\w*\)[sd]|^\$[A-Za-z_]\w*$|^%[A-Za-z_]\w*%$|^@[A-Za-z_]\w*@$|^__[A-Za-z0-9_]+__$|^\[[^\]]*\]$/;
var MASK = /^[*xX.•…_-]+$/;
var CONSTANT_NAME = /^[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+$/;
var MADE_UP_MARK = /example|sample|dummy|placeholder|redacted/i;
var LEET = { "0": "o", "1": "i", "3": "e", "4": "a", "5": "s", "7": "t", "@": "a", $: "s" };
function composed(piece) {
  const n = piece.length;
  const reach = new Array(n + 1).fill(0);
  reach[0] = 1;
  for (let i = 0; i < n; i++) {
    const from = reach[i] ?? 0;
    if (!from) continue;
    let j = i;
    while (j < n && /\d/.test(piece[j] ?? "")) j++;
    if (j > i) reach[j] = Math.max(reach[j] ?? 0, from);
    for (let k = i + 1; k <= Math.min(n, i + 12); k++) {
      if (WORDS.has(piece.slice(i, k))) reach[k] = 2;
    }
  }
  return reach[n] ?? 0;
}
function composedOfWords(value) {
  const found = value.toLowerCase().split(/[^\p{L}\p{N}]+/u).filter(Boolean).map(composed);
  return found.every((c) => c > 0) && found.includes(2);
}
function entropyPerChar(value) {
  const counts = /* @__PURE__ */ new Map();
  for (const c of value) counts.set(c, (counts.get(c) ?? 0) + 1);
  let h = 0;
  for (const n of counts.values()) {
    const p = n / value.length;
    h -= p * Math.log2(p);
  }
  return h;
}
function sequential(value) {
  if (value.length < 6) return false;
  let steps = 0;
  for (let i = 1; i < value.length; i++) if (Math.abs(value.charCodeAt(i) - value.charCodeAt(i - 1)) === 1) steps++;
  return steps / (value.length - 1) >= 0.5;
}
function periodic(value) {
  const n = value.length;
  if (n < 6) return false;
  for (let p = 1; p <= n / 2; p++) {
    let same = 0;
    for (let i = 0; i + p < n; i++) if (value[i] === value[i + p]) same++;
    if (same / (n - p) >= 0.9) return true;
  }
  return false;
}
function madeUpCoverage(body) {
  const s = body.toLowerCase();
  const covered = new Array(s.length).fill(false);
  let longWord = false;
  for (let i = 0; i < s.length; ) {
    let best = 0;
    for (let k = Math.min(s.length, i + 12); k >= i + 2; k--) {
      if (WORDS.has(s.slice(i, k))) {
        best = k - i;
        break;
      }
    }
    if (best >= 4) longWord = true;
    for (let k = i; k < i + best; k++) covered[k] = true;
    i += best || 1;
  }
  let run2 = 1;
  for (let i = 1; i <= s.length; i++) {
    if (i < s.length && Math.abs(s.charCodeAt(i) - s.charCodeAt(i - 1)) === 1) {
      run2++;
      continue;
    }
    if (run2 >= 4) for (let k = i - run2; k < i; k++) covered[k] = true;
    if (run2 >= 8) longWord = true;
    run2 = 1;
  }
  return longWord ? covered.filter(Boolean).length / s.length : 0;
}
function varied(value) {
  return new Set(value).size >= Math.min(10, Math.ceil(value.length / 3));
}
function isReference(value) {
  const v = value.trim().slice(0, 256);
  return v === "" || TEMPLATE2.test(v) || MASK.test(v);
}
function isPlaceholder(value) {
  const v = value.trim().slice(0, 256);
  if (isReference(v) || CONSTANT_NAME.test(v)) return true;
  if (composedOfWords(v) || composedOfWords(v.replace(/[0-9@$]/g, (c) => LEET[c] ?? c))) return true;
  return sequential(v) || periodic(v) || !varied(v);
}
function patternedBody(whole, mixedCase = true) {
  const body = whole.slice(0, 256);
  if (!varied(body) || MADE_UP_MARK.test(body) || sequential(body) || periodic(body)) return true;
  if (madeUpCoverage(body) >= 0.6) return true;
  if (mixedCase && body.length >= 16) {
    const classes = [/[a-z]/, /[A-Z]/, /\d/].filter((re) => re.test(body)).length;
    if (classes < 2) return true;
  }
  return body.length >= 20 && entropyPerChar(body) < 3;
}
function isLocalHost(host) {
  const h = host.toLowerCase().replace(/\.$/, "");
  if (h === "localhost" || h.endsWith(".localhost") || h === "0.0.0.0" || /^127\.\d+\.\d+\.\d+$/.test(h)) return true;
  if (h === "host.docker.internal" || h.endsWith(".local")) return true;
  return !h.includes(".");
}
function isDocumentationHost(host) {
  const h = host.toLowerCase().replace(/\.$/, "");
  if (/(?:^|\.)example\.(?:com|org|net)$|\.(?:example|test|invalid)$/.test(h)) return true;
  return /^(?:your|tu|su)[-_.]|^your[a-z]/.test(h) || /x{3,}/.test(h);
}
function trivialPassword(password) {
  const classes = [/[a-z]/, /[A-Z]/, /\d/, /[^A-Za-z0-9]/].filter((re) => re.test(password)).length;
  return password.length < 16 || classes < 2 || entropyPerChar(password) < 3;
}
function urlPasswordLookalike(user, password, host) {
  if (isPlaceholder(password) || password === user || isDocumentationHost(host)) return "placeholder";
  if (isLocalHost(host) && trivialPassword(password)) return "local-trivial";
  return void 0;
}
function nonProductionPath(path33) {
  const lower = path33.toLowerCase();
  const name = lower.slice(lower.lastIndexOf("/") + 1);
  if (/\/(?:\.github|\.circleci|\.buildkite|\.gitlab)\/|\/(?:\.gitlab-ci\.ya?ml|\.travis\.ya?ml|azure-pipelines\.ya?ml|bitbucket-pipelines\.yml|jenkinsfile|\.drone\.ya?ml|cloudbuild\.ya?ml)$/.test(
    lower
  ))
    return "ci";
  if (/\/(?:tests?|__tests__|spec|specs|testdata|test[-_]data|fixtures|__fixtures__|e2e|cypress|playwright)\//.test(lower)) return "test";
  if (/^(?:conftest\.py|test_[^/]*\.py|[^/]*_test\.(?:py|go|rb)|[^/]*\.(?:test|spec)\.[cm]?[jt]sx?|[^/]*_spec\.rb|pytest\.ini|tox\.ini|phpunit\.xml(?:\.dist)?)$/.test(
    name
  ))
    return "test";
  if (/\/(?:examples?|samples?)\//.test(lower) || /\.(?:example|sample|template|tpl|dist)(?:\.[a-z0-9]+)?$|^[^/]*\.example\.[a-z0-9]+$/.test(name))
    return "example";
  if (/\/(?:docs?|documentation|site-docs)\//.test(lower) || /\.(?:md|markdown|mdx|rst|adoc|asciidoc)$/.test(name) || /^(?:readme|changelog|contributing|install|usage)(?:\.[a-z]+)?$/.test(name)) {
    return "documentation";
  }
  return void 0;
}
function jwtLookalike(token) {
  const payload = token.split(".")[1] ?? "";
  let claims;
  try {
    claims = JSON.parse(Buffer.from(payload, "base64url").toString("utf8"));
  } catch {
    return void 0;
  }
  if (!claims || typeof claims !== "object") return void 0;
  const c = claims;
  if (c["role"] === "anon") return "public-by-design";
  if (c["sub"] === "1234567890" || typeof c["name"] === "string" && /^(?:john|jane) doe$/i.test(c["name"])) return "placeholder";
  return void 0;
}

// src/secrets/names.ts
function nameWords(name) {
  return name.replace(/([a-z0-9])([A-Z])/g, "$1_$2").toUpperCase().split(/[^A-Z0-9]+/).filter(Boolean);
}
var SECRET_WORD_ENDINGS = ["TOKEN", "SECRET", "SECRETS", "PASSWORD", "PASSWD", "PASSPHRASE", "APIKEY", "CREDENTIALS", "CREDS"];
var SECRET_WORDS = /* @__PURE__ */ new Set(["PWD", "PASS", "PAT"]);
var DESCRIPTOR_WORDS = /* @__PURE__ */ new Set([
  "FILE",
  "PATH",
  "DIR",
  "ID",
  "NAME",
  "USER",
  "USERNAME",
  "LENGTH",
  "LEN",
  "SIZE",
  "TYPE",
  "ALGORITHM",
  "ALG",
  "HEADER",
  "FIELD",
  "VERSION",
  "TTL",
  "EXPIRY",
  "EXPIRES",
  "EXPIRATION",
  "TIMEOUT",
  "SECONDS",
  "MINUTES",
  "HOURS",
  "DAYS",
  "ENABLED",
  "REQUIRED",
  "MIN",
  "MAX",
  "COUNT",
  "URL",
  "URI",
  "ENDPOINT",
  "HOST",
  "PORT",
  "PREFIX",
  "SUFFIX",
  "FORMAT",
  "ISSUER",
  "AUDIENCE",
  "SCOPE",
  "SCOPES",
  "LOCATION",
  "REGION",
  "MODE",
  "POLICY",
  "ROTATION"
]);
var PUBLIC_KEY_QUALIFIERS = /* @__PURE__ */ new Set(["PUBLIC", "PUB", "GPG", "PGP", "SIGNING", "PRIMARY", "FOREIGN", "SORT", "CACHE", "PARTITION", "HOST"]);
var NOT_SECRET_NAMES = /* @__PURE__ */ new Set(["PWD", "OLDPWD", "KEY"]);
function isSecretName(name) {
  if (NOT_SECRET_NAMES.has(name.toUpperCase())) return false;
  const words = nameWords(name);
  if (words.length === 0) return false;
  const last = words[words.length - 1] ?? "";
  if (DESCRIPTOR_WORDS.has(last)) return false;
  if (words.some((w) => SECRET_WORDS.has(w) || SECRET_WORD_ENDINGS.some((e) => w.endsWith(e)))) return true;
  const keyAt = words.lastIndexOf("KEY");
  if (keyAt <= 0) return false;
  return !PUBLIC_KEY_QUALIFIERS.has(words[keyAt - 1] ?? "");
}

// src/secrets/values.ts
import { createHash } from "node:crypto";
var VALUE_KIND_LABELS = {
  "aws-access-key-id": "AWS access key id",
  "github-token": "GitHub token",
  "gitlab-token": "GitLab token",
  "npm-token": "npm access token",
  "pypi-token": "PyPI upload token",
  "docker-hub-token": "Docker Hub access token",
  "slack-token": "Slack token",
  "slack-webhook": "Slack webhook URL",
  "stripe-live-key": "Stripe live secret key",
  "google-api-key": "Google API key",
  "openai-key": "OpenAI API key",
  "anthropic-key": "Anthropic API key",
  "sendgrid-key": "SendGrid API key",
  "digitalocean-token": "DigitalOcean token",
  "private-key": "private key (PEM block)",
  jwt: "signed JSON Web Token",
  "registry-auth-line": "package registry credential line (.npmrc/.pypirc/.netrc)",
  "url-password": "URL with a password",
  "given-secret": "value of a secret given to deploy-check"
};
var fixed = (n) => (m) => m.slice(0, n);
var none = () => "";
var randomAfter = (n, mixedCase = true) => (secret) => patternedBody(secret.slice(n), mixedCase) ? "patterned" : void 0;
var notPlaceholder = (secret) => isPlaceholder(secret) ? "placeholder" : void 0;
var RULES = [
  { kind: "aws-access-key-id", pattern: /\b((?:AKIA|ASIA|ABIA|ACCA|A3T[A-Z0-9])[A-Z2-7]{16})\b/g, prefix: fixed(4), lookalike: randomAfter(4, false) },
  { kind: "github-token", pattern: /\b((?:ghp|gho|ghu|ghs|ghr)_[A-Za-z0-9]{36})\b/g, prefix: fixed(4), lookalike: randomAfter(4) },
  { kind: "github-token", pattern: /\b(github_pat_[A-Za-z0-9]{22}_[A-Za-z0-9]{59})\b/g, prefix: fixed(11), lookalike: randomAfter(11) },
  { kind: "gitlab-token", pattern: /\b(glpat-[A-Za-z0-9_-]{20})(?![A-Za-z0-9_-])/g, prefix: fixed(6), lookalike: randomAfter(6) },
  { kind: "npm-token", pattern: /\b(npm_[A-Za-z0-9]{36})\b/g, prefix: fixed(4), lookalike: randomAfter(4) },
  { kind: "pypi-token", pattern: /\b(pypi-AgEIcHlwaS5vcmc[A-Za-z0-9_-]{50,})/g, prefix: fixed(5), lookalike: randomAfter(24) },
  { kind: "docker-hub-token", pattern: /\b(dckr_pat_[A-Za-z0-9_-]{27})(?![A-Za-z0-9_-])/g, prefix: fixed(9), lookalike: randomAfter(9) },
  {
    kind: "slack-token",
    pattern: /\b(xox[bpoasr]-[0-9]{8,13}-[0-9A-Za-z-]{8,})/g,
    prefix: fixed(5),
    lookalike: (s) => randomAfter(0)(s.slice(s.lastIndexOf("-") + 1))
  },
  {
    kind: "slack-webhook",
    pattern: /(https:\/\/hooks\.slack\.com\/(?:services|workflows)\/[A-Za-z0-9+/]{43,56})/g,
    prefix: () => "https://hooks.slack.com/",
    lookalike: (s) => randomAfter(0)(s.slice(s.lastIndexOf("/") + 1))
  },
  { kind: "stripe-live-key", pattern: /\b((?:sk|rk)_live_[A-Za-z0-9]{20,})\b/g, prefix: fixed(8), lookalike: randomAfter(8) },
  { kind: "google-api-key", pattern: /\b(AIza[0-9A-Za-z_-]{35})(?![0-9A-Za-z_-])/g, prefix: fixed(4), lookalike: randomAfter(4) },
  {
    kind: "openai-key",
    pattern: /\b(sk-(?:proj-|svcacct-|admin-)?[A-Za-z0-9_-]{20,}T3BlbkFJ[A-Za-z0-9_-]{20,})/g,
    prefix: fixed(3),
    lookalike: (s) => randomAfter(0)(s.slice(s.indexOf("T3BlbkFJ") + 8))
  },
  {
    kind: "anthropic-key",
    pattern: /\b(sk-ant-(?:api|admin)\d{2}-[A-Za-z0-9_-]{80,})/g,
    prefix: fixed(7),
    lookalike: (s) => randomAfter(0)(s.slice(s.indexOf("-", 7) + 1))
  },
  { kind: "sendgrid-key", pattern: /\b(SG\.[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{43})(?![A-Za-z0-9_-])/g, prefix: fixed(3), lookalike: randomAfter(3) },
  { kind: "digitalocean-token", pattern: /\b(do[opr]_v1_[a-f0-9]{64})\b/g, prefix: fixed(7), lookalike: randomAfter(7, false) },
  // A PEM private key with a body: the BEGIN line alone (documentation, code that parses keys) is not one.
  {
    kind: "private-key",
    pattern: /(-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----[\s\\n]*(?:[A-Za-z0-9+/=]{16,}[\s\\n]*|[A-Za-z-]+: [^\n]*\n){3,}[A-Za-z0-9+/=\s\\n]*-----END (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----)/g,
    prefix: () => "-----BEGIN"
  },
  // header.payload.signature, both JSON parts starting with {" (eyJ in base64url).
  { kind: "jwt", pattern: /\b(eyJ[A-Za-z0-9_-]{10,}\.eyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{20,})/g, prefix: fixed(3), lookalike: jwtLookalike },
  // _authToken=..., _auth=..., _password=... (npm/yarn), password: / password = (pypirc), "password x" (netrc).
  {
    kind: "registry-auth-line",
    pattern: /(?:^|[\s;])(?:\/\/[^\s=]*:)?(?:_authToken|_auth|_password|npmAuthToken|npmAuthIdent)\s*[=:]\s*["']?([^\s"'#]{8,})/gm,
    prefix: none,
    lookalike: notPlaceholder
  },
  {
    kind: "registry-auth-line",
    pattern: /^\s*machine\s+\S+\s+login\s+\S+\s+password\s+(\S{6,})/gm,
    prefix: none,
    lookalike: notPlaceholder
  },
  // scheme://user:password@host — the password part only; the user and the host decide whether a weak one matters.
  {
    kind: "url-password",
    pattern: /\b[a-z][a-z0-9+.-]{1,20}:\/\/(?<user>[A-Za-z0-9._~%!$&'()*+,;=-]{1,64}):(?<secret>[^\s/@:'"`<>{}]{3,128})@(?<host>[A-Za-z0-9.-]+)/gi,
    prefix: none,
    lookalike: (s, m) => /^\$|\{\{|%\(/.test(s) ? "placeholder" : urlPasswordLookalike(m.groups?.["user"] ?? "", s, m.groups?.["host"] ?? "")
  }
];
var MIN_GIVEN_SECRET = 6;
function fingerprint(secret, prefix) {
  const hash = createHash("sha256").update(secret).digest("hex").slice(0, 8);
  const shown2 = prefix && secret.startsWith(prefix) ? `${prefix}\u2026` : "";
  return shown2 ? `${shown2} (${secret.length} chars, sha256:${hash})` : `${secret.length} chars`;
}
function findSecretValues(text2, given = [], limit = 20) {
  return classifySecretValues(text2, given, limit).filter((m) => !m.lookalike);
}
function classifySecretValues(text2, given = [], limit = 20, path33) {
  const out = [];
  const seen = /* @__PURE__ */ new Set();
  const lineOf2 = lineIndex(text2);
  const where = path33 === void 0 ? void 0 : nonProductionPath(path33);
  const count = (lookalike) => out.filter((m) => Boolean(m.lookalike) === lookalike).length;
  for (const rule of RULES) {
    rule.pattern.lastIndex = 0;
    for (const m of text2.matchAll(rule.pattern)) {
      const secret = m.groups?.["secret"] ?? m[1] ?? m[0];
      const lookalike = rule.lookalike?.(secret, m) ?? (where && PATH_SENSITIVE.has(rule.kind) ? where : void 0);
      if (count(Boolean(lookalike)) >= limit) continue;
      const at = m.index + m[0].indexOf(secret);
      const key = `${rule.kind}:${secret}`;
      if (seen.has(key)) continue;
      seen.add(key);
      out.push({ kind: rule.kind, line: lineOf2(at), fingerprint: fingerprint(secret, rule.prefix(secret)), secret, ...lookalike ? { lookalike } : {} });
      if (count(false) >= limit && count(true) >= limit) return out;
    }
  }
  const specific = new Set(out.filter((m) => !GENERIC.has(m.kind)).map((m) => m.line));
  for (let i = out.length - 1; i >= 0; i--) {
    const m = out[i];
    if (m && GENERIC.has(m.kind) && specific.has(m.line)) out.splice(i, 1);
  }
  for (const g of given) {
    if (g.value.length < MIN_GIVEN_SECRET) continue;
    const at = text2.indexOf(g.value);
    if (at < 0) continue;
    out.push({ kind: "given-secret", line: lineOf2(at), fingerprint: `${g.value.length} chars`, secret: g.value, source: g.label });
    if (count(false) >= limit) return out;
  }
  return out;
}
var PATH_SENSITIVE = /* @__PURE__ */ new Set(["registry-auth-line", "url-password", "jwt"]);
var GENERIC = /* @__PURE__ */ new Set(["registry-auth-line", "url-password"]);
function redactSecretValues(text2, given = []) {
  if (!mayHoldSecret(text2, given)) return text2;
  let out = text2;
  for (const m of findSecretValues(text2, given, 50)) out = out.split(m.secret).join("***");
  return out;
}
function valuesToMask(text2, given = false) {
  if (!mayHoldSecret(text2)) return [];
  const out = /* @__PURE__ */ new Map();
  for (const m of classifySecretValues(text2, [], 1e3)) {
    if (m.lookalike && GENERIC.has(m.kind)) continue;
    out.set(m.secret, m.kind);
    if (m.kind === "private-key") {
      for (const line of m.secret.split(/\r?\n|\\n/)) if (line.trim().length >= 16 && !line.startsWith("-----")) out.set(line.trim(), m.kind);
    }
  }
  if (given) for (const password of urlPasswords(text2)) out.set(password, "url-password");
  return [...out].map(([value, kind]) => ({ value, kind }));
}
function urlPasswords(text2) {
  const out = [];
  for (const m of text2.matchAll(/\b[a-z][a-z0-9+.-]*:\/\/[^\s/?#@:]*:([^\s/?#]+)@/gi)) {
    const password = m[1] ?? "";
    if (isReference(password)) continue;
    out.push(password);
    try {
      const decoded = decodeURIComponent(password);
      if (decoded !== password) out.push(decoded);
    } catch {
    }
  }
  return out;
}
function lineIndex(text2) {
  let starts;
  return (offset) => {
    if (!starts) {
      starts = [0];
      for (let i = text2.indexOf("\n"); i >= 0; i = text2.indexOf("\n", i + 1)) starts.push(i + 1);
    }
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = lo + hi + 1 >> 1;
      if ((starts[mid] ?? 0) <= offset) lo = mid;
      else hi = mid - 1;
    }
    return lo + 1;
  };
}
function isFlagValue(value) {
  return /^(?:true|false|yes|no|on|off|enabled?|disabled?|none|null|nil|-?\d{1,6}(?:\.\d+)?)$/i.test(value.trim());
}
function isPublicByDesignName(name) {
  const upper = name.toUpperCase();
  return /(?:^|_)PUBLISHABLE_KEY$|^NEXT_PUBLIC_|^VITE_|^REACT_APP_|^PUBLIC_|^NUXT_PUBLIC_|^EXPO_PUBLIC_|(?:^|_)PUBLIC_KEY$|(?:^|_)ANON_KEY$/.test(upper);
}
function mayHoldSecret(text2, given = []) {
  if (/AKIA|ASIA|ABIA|ACCA|A3T|gh[pousr]_|github_pat_|glpat-|npm_|pypi-|dckr_pat_|xox|hooks\.slack|_live_|AIza|sk-|SG\.|do[opr]_v1|PRIVATE KEY|eyJ|_auth|_password|npmAuth|password|:\/\//.test(
    text2
  ))
    return true;
  return given.some((g) => g.value.length >= MIN_GIVEN_SECRET && text2.includes(g.value));
}

// src/config/secrets.ts
var SHORT_SECRET_CHARS = 8;
function secretValues(sources) {
  const { env, buildArgs } = sources;
  const composeEnv = checkedComposeEnvironment(sources.compose, env);
  const certain = [
    ...sources.buildSecrets.map((s) => ({ label: `build secret "${s.key}"`, value: s.value })),
    ...env.filter((e) => isSecretName(e.key)).map((e) => ({ label: `env "${e.key}"`, value: e.value })),
    // BuildKit prints a RUN step with its build args expanded.
    ...buildArgs.filter((a) => isSecretName(a.key)).map((a) => ({ label: `build arg "${a.key}"`, value: a.value })),
    ...sources.credentials,
    ...composeEnv.filter((e) => isSecretName(e.key) && !isFlagValue(e.value) && !isReference(e.value)).map((e) => ({ label: e.label, value: e.value })),
    ...byForm(
      [
        ...env.map((e) => ({ label: `env "${e.key}"`, value: e.value })),
        ...sources.railwayEnv.map((e) => ({ label: `railway.ts variable "${e.key}"`, value: e.value })),
        ...buildArgs.map((a) => ({ label: `build arg "${a.key}"`, value: a.value })),
        ...composeEnv
      ],
      true
    ),
    ...byForm([{ label: sources.dockerfile.name, value: sources.dockerfile.text }], false)
  ].filter((s) => s.value !== "");
  const railway = [...sources.railwaySecrets, ...sources.railwayEnv.filter((e) => isSecretName(e.key)).map((e) => e.value)];
  const secrets = [
    ...certain.map((s) => s.value),
    ...env.filter((e) => !isSecretName(e.key) && e.value.length >= 3).map((e) => e.value),
    ...railway.filter((v) => v.length >= 3)
  ];
  const shortSecrets = certain.filter((s) => s.value.length < SHORT_SECRET_CHARS).map((s) => s.label);
  return { secrets: [...new Set(secrets)], shortSecrets: [...new Set(shortSecrets)] };
}
function byForm(values, given) {
  return values.flatMap(
    (v) => valuesToMask(v.value, given).map((found) => ({
      label: `the ${found.kind === "url-password" ? "URL password" : VALUE_KIND_LABELS[found.kind]} in ${v.label}`,
      value: found.value
    }))
  );
}
function checkedComposeEnvironment(compose, env) {
  if (!compose) return [];
  const { model, service: app } = compose;
  const overridden = new Set(env.map((e) => e.key));
  const ofService = (name, skip) => Object.entries(model.services[name]?.environment ?? {}).filter(([key]) => !skip.has(key)).map(([key, value]) => ({ key, value, label: `Compose environment "${key}" of "${name}"` }));
  return [...ofService(app, overridden), ...dependencyClosure(model, app).flatMap((d) => ofService(d.name, /* @__PURE__ */ new Set()))];
}

// src/config/config.ts
var SECRET_INPUTS = ["registry-password", "github-token", ...RAILWAY_SECRET_INPUTS];
var RAILWAY_HEALTHCHECK_HOST = "healthcheck.railway.app";
var RAILWAY_DEFAULT_PORT = 8080;
var RAILWAY_HEALTH_TIMEOUT_MS = 3e5;
var DEFAULT_HEALTH_TIMEOUT_MS = 6e4;
function newRunId() {
  return `${Date.now().toString(36)}-${randomBytes2(4).toString("hex")}`;
}
async function loadConfig(read, options = {}) {
  const inputs = await readInputs(read, options);
  const { get, cwd, context, runContext } = inputs;
  const located = locateIacFile({ cwd, context, fileInput: get("railway-config") || void 0 });
  if (located.file) refuseForkCode(located.file, runContext);
  const railway = readRailwayConfigs(get, { cwd, context, runContext, now: options.now ?? /* @__PURE__ */ new Date(), located });
  const full = railway.then((found) => completeConfig(inputs, found, options.railwayLookup));
  if (!options.beside || !located.file) return full;
  full.catch(() => void 0);
  let early;
  try {
    early = await completeConfig(inputs, { mirrored: pendingIacFile(located.file), railwayIac: void 0, staleRailwayFile: void 0, notes: [] }, void 0);
  } catch {
    return full;
  }
  return { ...early, railwayPending: full };
}
async function readInputs(read, options) {
  const cwd = options.cwd ?? process.cwd();
  const get = (name) => read(name).trim();
  const context = path11.resolve(cwd, get("context") || ".");
  if (!existsSync5(context) || !statSync3(context).isDirectory()) {
    throw new ConfigError("context", `"${get("context") || "."}" is not a directory (resolved to ${context})`);
  }
  const runId = options.runId ?? newRunId();
  const composeInput = await readComposeConfig(get, { cwd, context, runId });
  const env = [...readEnvFile(get("env-file") || void 0, cwd), ...parseKeyValueLines("env", get("env"))];
  const registry = readRegistryCredentials(read);
  const image = get("image") || `deploy-check-local/${imageName(context)}:${runId}`;
  if (!/^[a-z0-9]+(?:[._-][a-z0-9]+)*(?::\d+)?(?:\/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*(?::[\w][\w.-]{0,127})?(?:@sha256:[a-f0-9]{64})?$/.test(image)) {
    throw new ConfigError("image", `"${image}" is not a valid image reference (lower-case name, optional :tag), e.g. "myapp:ci"`);
  }
  return {
    get,
    cwd,
    context,
    runContext: options.runContext ?? readRunContext(options.env ?? process.env),
    runId,
    composeInput,
    env,
    registry,
    image,
    target: get("target") || void 0,
    buildArgs: parseKeyValueLines("build-args", get("build-args")),
    buildSecrets: parseKeyValueLines("build-secrets", get("build-secrets"), "id=VALUE"),
    addHosts: parseHostLines("add-hosts", get("add-hosts")),
    waitFor: parseWaitFor(get("wait-for") || "auto"),
    paritySetting: parseParitySetting(get("railway-parity") || "auto"),
    deploy: readDeployConfig(read),
    hygiene: readHygieneConfig(get),
    command: parseCommand("command", get("command")),
    cache: readCacheConfig(read, { cacheDir: options.cacheDir, cwd }),
    network: get("network") || void 0,
    size: readSizeConfig(get, cwd, registry),
    publish: readPublishConfig(read)
  };
}
function readDockerfile(inputs, railwayFile, railwayIac) {
  const { get, cwd, context, target } = inputs;
  const dockerfileInput = get("dockerfile") || void 0;
  const { dockerfile, dockerfileName } = dockerfileInput ? { dockerfile: path11.resolve(cwd, dockerfileInput), dockerfileName: "dockerfile" } : defaultDockerfile(context, railwayFile, inputs.composeInput);
  if (!existsSync5(dockerfile) || !statSync3(dockerfile).isFile()) {
    const builder = railwayIac?.service.builder;
    if (!dockerfileInput && builder !== void 0 && builder !== "DOCKERFILE") {
      throw new ConfigError(
        "railway-config",
        `the service "${railwayIac?.service.name ?? ""}" in ${railwayFile?.label ?? ""} builds with ${builder} and ${dockerfile} does not exist: ${builder} builds are not checked yet (Railway always builds with a Dockerfile when it finds one); add a Dockerfile or set "dockerfile"`
      );
    }
    throw new ConfigError(dockerfileName, `no Dockerfile at ${dockerfile}; set "dockerfile" to its path`);
  }
  const text2 = readFileSync2(dockerfile, "utf8");
  const tree = parseDockerfile(text2);
  const syntax = dockerfileSyntaxProblem(tree);
  if (syntax) {
    throw new ConfigError(dockerfileName, `${dockerfile}:${syntax.line}: ${syntax.message}; BuildKit refuses this Dockerfile, fix that line`);
  }
  const facts = readDockerfileFacts(tree, target);
  if (facts.stages.length === 0) throw new ConfigError("dockerfile", `${dockerfile} has no FROM instruction`);
  if (target !== void 0 && !facts.finalStage) {
    const names = facts.stages.map((s) => s.name).filter((n) => n !== void 0);
    throw new ConfigError("target", `no stage named "${target}" in ${path11.basename(dockerfile)}; stages: ${names.length ? names.join(", ") : "(none named)"}`);
  }
  return { dockerfile, text: text2, facts };
}
async function completeConfig(inputs, railway, lookup) {
  const { get, env, runId, composeInput, deploy: deploy2 } = inputs;
  const railwayFile = railway.mirrored;
  let railwayIac = railway.railwayIac;
  const { dockerfile, text: dockerfileText, facts } = readDockerfile(inputs, railwayFile, railwayIac);
  const runInputs = { get, waitFor: inputs.waitFor, paritySetting: inputs.paritySetting, facts, railwayFile, command: inputs.command };
  let run2 = resolveRun({ ...runInputs, service: void 0, env: [...railwayIac?.variables.env ?? [], ...env] });
  const railwayNotes = [...railway.notes];
  if (composeInput && railwayIac?.databases.length) {
    railwayNotes.push(
      `compose-file is used and the databases of ${railwayIac.file} (${railwayIac.databases.map((d) => d.name).join(", ")}) are not started: the Compose file was asked for by name, so it wins`
    );
  }
  const compose = composeInput ?? (railwayIac ? await railwayDatabasesCompose(railwayIac, runId) : void 0);
  if (railwayIac) railwayNotes.push(...railwayIac.unstartable);
  if (compose && inputs.network === "host") {
    throw new ConfigError(
      "network",
      `"host" cannot be combined with compose-file: the app joins the Compose project's network; leave network empty or name a bridge network`
    );
  }
  const needs = iacRemoteNeeds(railwayIac);
  const railwayService = deploy2.railway && lookup ? await lookup(deploy2.railway, needs) : void 0;
  const remote = needs && remoteValuesOf(railwayService);
  if (railwayIac && remote) railwayIac = withRemoteValues(railwayIac, remote);
  if (railwayService?.ok) run2 = resolveRun({ ...runInputs, service: railwayService.settings, env: [...railwayIac?.variables.env ?? [], ...env] });
  const { secrets, shortSecrets } = secretValues({
    env,
    railwayEnv: railwayIac?.variables.env ?? [],
    railwaySecrets: railwayIac?.variables.secrets ?? [],
    buildSecrets: inputs.buildSecrets,
    buildArgs: inputs.buildArgs,
    credentials: [
      ...inputs.registry ? [{ label: "registry-password", value: inputs.registry.password }] : [],
      ...deploy2.railway ? [{ label: "railway-token", value: deploy2.railway.token }] : [],
      { label: "github-token", value: inputs.publish.token ?? "" },
      ...(railwayIac?.variables.fromRailway ?? []).map((v) => ({ label: `Railway variable "${v.key}"`, value: v.value }))
    ],
    compose,
    dockerfile: { name: path11.basename(dockerfile), text: dockerfileText }
  });
  return {
    runId,
    context: inputs.context,
    dockerfile,
    target: inputs.target,
    buildArgs: inputs.buildArgs,
    buildSecrets: inputs.buildSecrets,
    image: inputs.image,
    builder: get("builder") || void 0,
    env,
    port: run2.port,
    command: run2.command,
    commandSource: run2.commandSource,
    commandReplaces: run2.parity.enabled ? "ENTRYPOINT" : "CMD",
    preDeploy: run2.preDeploy,
    parity: run2.parity,
    network: inputs.network,
    addHosts: inputs.addHosts,
    compose,
    health: run2.health,
    dockerfileFacts: facts,
    railwayFile,
    railwayIac,
    staleRailwayFile: railway.staleRailwayFile,
    railwayNotes,
    publish: inputs.publish,
    cache: inputs.cache,
    hygiene: inputs.hygiene,
    registry: inputs.registry,
    deploy: deploy2,
    railwayService,
    size: inputs.size,
    secrets,
    shortSecrets
  };
}
function pendingIacFile(file) {
  return {
    file,
    label: ".railway/railway.ts",
    fieldPrefix: "",
    cronSchedule: void 0,
    healthcheckPath: void 0,
    healthcheckTimeoutMs: void 0,
    dockerfilePath: void 0,
    startCommand: void 0,
    preDeployCommand: void 0
  };
}
function imageName(context) {
  return path11.basename(context).toLowerCase().replace(/[^a-z0-9._-]+/g, "-").replace(/^[._-]+|[._-]+$/g, "") || "app";
}
function readEnvFile(file, cwd) {
  if (file === void 0) return [];
  const full = path11.resolve(cwd, file);
  let text2;
  try {
    text2 = readFileSync2(full, "utf8");
  } catch (err) {
    const code = err.code;
    const why2 = code === "ENOENT" ? "no such file" : code === "EISDIR" ? "it is a directory" : code ?? err.message;
    throw new ConfigError("env-file", `cannot read ${full}: ${why2}; give the path of a file of KEY=VALUE lines`);
  }
  return parseKeyValueLines("env-file", text2.replace(/^\s*export\s+/gm, ""), "KEY=VALUE", { literalNewlines: "keep" });
}
function parseWaitFor(raw) {
  const kind = raw.toLowerCase();
  if (kind === "auto" || kind === "http" || kind === "healthcheck" || kind === "tcp" || kind === "none" || kind === "exit") return { kind };
  if (raw.startsWith("log:")) return { kind: "log", pattern: compileRegex("wait-for", raw.slice(4)) };
  throw new ConfigError(
    "wait-for",
    `"${raw}" is not a wait strategy; use auto, http, healthcheck, tcp, log:<regular expression>, exit (run to completion) or none (run nothing)`
  );
}
function compileRegex(input, source) {
  if (source === "") throw new ConfigError(input, "the regular expression is empty");
  try {
    return new RegExp(source, "m");
  } catch (err) {
    throw new ConfigError(input, `"${source}" is not a valid regular expression: ${err.message}`);
  }
}
function resolveRun(inputs) {
  const { get, railwayFile, service } = inputs;
  const fileSource = railwayFile?.label ?? "railway.json";
  const railwayKnown = railwayFile !== void 0 || service !== void 0;
  const enabled = inputs.paritySetting === "true" || inputs.paritySetting === "auto" && railwayKnown;
  const why2 = inputs.paritySetting === "false" ? "railway-parity: false" : inputs.paritySetting === "true" ? "railway-parity: true" : service !== void 0 ? "the Railway service's settings were read" : railwayFile !== void 0 ? `${railwayFile.label} found` : "no .railway/railway.ts, railway.json, railway.toml or Railway service settings";
  const { port, portSource } = resolvePort(get("port") || void 0, inputs.facts, enabled ? inputs.env : void 0);
  const envSetsPort = inputs.env.some((e) => e.key === "PORT");
  const parity = {
    enabled,
    setting: inputs.paritySetting,
    why: why2,
    injectedPort: enabled && !envSetsPort ? port : void 0,
    portSource,
    host: enabled ? RAILWAY_HEALTHCHECK_HOST : void 0
  };
  const health = resolveHealth(inputs, port, parity);
  let command = inputs.command;
  let commandSource = command ? "command input" : "image";
  if (!command && enabled && railwayFile?.startCommand) {
    command = splitCommandWords(`${fileSource} ${railwayFile.fieldPrefix}deploy.startCommand`, railwayFile.startCommand);
    commandSource = fileSource;
  } else if (!command && enabled && service?.startCommand) {
    command = splitCommandWords("railway-service (startCommand)", service.startCommand);
    commandSource = "railway service";
  }
  let preDeploy;
  const timeoutMs = health.timeoutMs;
  if (enabled && railwayFile?.preDeployCommand) preDeploy = { commands: railwayFile.preDeployCommand, source: fileSource, timeoutMs };
  else if (enabled && service?.preDeployCommand) preDeploy = { commands: service.preDeployCommand, source: "railway service", timeoutMs };
  const where = preDeploy?.source === "railway service" ? "railway-service (preDeployCommand)" : `${fileSource} deploy.preDeployCommand`;
  for (const command2 of preDeploy?.commands ?? []) splitCommandWords(where, command2);
  return { parity, port, health, command, commandSource, preDeploy };
}
function parseParitySetting(raw) {
  return parseChoice("railway-parity", raw, { auto: "mirror Railway when its settings are known", true: "always", false: "never" });
}
function resolvePort(raw, facts, parityEnv) {
  if (raw !== void 0) return { port: parsePort("port", raw), portSource: "port input" };
  const envPort = parityEnv?.find((e) => e.key === "PORT")?.value;
  if (envPort !== void 0) return { port: parsePort("env (PORT)", envPort), portSource: "env PORT" };
  const exposed = effectiveExposedPorts(facts);
  if (exposed.length > 1) {
    throw new ConfigError("port", `the Dockerfile exposes several ports (${exposed.join(", ")}); set "port" to the one to health-check`);
  }
  if (exposed[0] !== void 0) return { port: exposed[0], portSource: "EXPOSE" };
  return parityEnv ? { port: RAILWAY_DEFAULT_PORT, portSource: "Railway default" } : { port: void 0, portSource: "none" };
}
function resolveHealth(inputs, port, parity) {
  const { get, waitFor, facts, railwayFile, service } = inputs;
  const pathInput = get("health-path") === "" ? "" : parseUrlPath("health-path", get("health-path"));
  if (pathInput !== "" && !pathInput.startsWith("/")) {
    throw new ConfigError("health-path", `"${pathInput}" must start with "/" (e.g. "/health")`);
  }
  const fromFile = railwayFile?.healthcheckPath !== void 0 ? { path: railwayFile.healthcheckPath, source: railwayFile.label } : void 0;
  const fromService = service?.healthcheckPath ? { path: parseUrlPath("healthcheckPath (Railway service settings)", service.healthcheckPath), source: "railway service" } : void 0;
  const chosen = pathInput ? { path: pathInput, source: "input" } : codeFirst(railwayFile) ? fromFile ?? fromService : fromService ?? fromFile;
  const healthPath = chosen?.path;
  const pathSource = chosen?.source;
  const { timeoutMs, timeoutSource } = resolveTimeout(inputs, parity.enabled);
  const statusRaw = get("health-status");
  const status = parseStatusRanges("health-status", statusRaw || (parity.enabled ? "200" : "200-399"));
  const statusSource = statusRaw ? "input" : parity.enabled ? "railway" : "default";
  const bodyRaw = get("health-body");
  const body = bodyRaw ? compileRegex("health-body", bodyRaw) : void 0;
  let strategy;
  if (waitFor.kind === "auto" && parity.enabled && railwayFile?.cronSchedule !== void 0) {
    strategy = "exit";
  } else if (waitFor.kind === "auto") {
    strategy = healthPath !== void 0 && port !== void 0 ? "http" : effectiveHealthcheck(facts) === "defined" ? "healthcheck" : "tcp";
  } else {
    strategy = waitFor.kind;
  }
  if ((strategy === "http" || strategy === "tcp") && port === void 0) {
    throw new ConfigError("port", missingPortMessage(strategy, healthPath, pathSource));
  }
  return {
    strategy,
    automatic: waitFor.kind === "auto",
    path: strategy === "http" ? healthPath ?? "/" : healthPath,
    pathSource,
    timeoutSource,
    status,
    statusSource,
    body,
    logPattern: waitFor.kind === "log" ? waitFor.pattern : void 0,
    timeoutMs
  };
}
function resolveTimeout(inputs, parity) {
  const { get, railwayFile, service } = inputs;
  const raw = get("health-timeout");
  if (raw) return { timeoutMs: parseDuration("health-timeout", raw), timeoutSource: "input" };
  const fromFile = railwayFile?.healthcheckTimeoutMs !== void 0 ? { timeoutMs: railwayFile.healthcheckTimeoutMs, timeoutSource: railwayFile.label } : void 0;
  const fromService = service?.healthcheckTimeoutMs !== void 0 ? { timeoutMs: service.healthcheckTimeoutMs, timeoutSource: "railway service" } : void 0;
  const chosen = codeFirst(railwayFile) ? fromFile ?? fromService : fromService ?? fromFile;
  if (chosen) return chosen;
  if (!parity) return { timeoutMs: DEFAULT_HEALTH_TIMEOUT_MS, timeoutSource: "default" };
  const variable = inputs.env.find((e) => e.key === "RAILWAY_HEALTHCHECK_TIMEOUT_SEC")?.value;
  if (variable !== void 0) {
    return { timeoutMs: parseDuration("env (RAILWAY_HEALTHCHECK_TIMEOUT_SEC)", variable), timeoutSource: "env RAILWAY_HEALTHCHECK_TIMEOUT_SEC" };
  }
  return { timeoutMs: RAILWAY_HEALTH_TIMEOUT_MS, timeoutSource: "railway default" };
}
function missingPortMessage(strategy, healthPath, pathSource) {
  if (healthPath !== void 0) {
    const from = pathSource === "input" ? '"health-path"' : `the health path ${healthPath} (from ${pathSource ?? "the inputs"})`;
    return `${from} needs a port, and the image declares none (no EXPOSE): set "port" to the port the app listens on, or "railway-parity: true" to check Railway's PORT (${RAILWAY_DEFAULT_PORT}) as Railway does`;
  }
  return strategy === "http" ? 'the HTTP health check needs a container port: the Dockerfile has no EXPOSE; set "port"' : 'nothing to wait for: the Dockerfile has no EXPOSE and no HEALTHCHECK; set "port", "health-path" or "wait-for" (e.g. log:<regex>)';
}
function codeFirst(file) {
  return file?.label === ".railway/railway.ts";
}
function defaultDockerfile(context, railwayFile, compose) {
  if (railwayFile?.dockerfilePath) {
    return {
      dockerfile: path11.resolve(dockerfileBase(railwayFile, context), railwayFile.dockerfilePath),
      dockerfileName: `dockerfile (from ${railwayFile.label} ${railwayFile.fieldPrefix}build.dockerfilePath)`
    };
  }
  const build = compose?.model.services[compose.service]?.build;
  if (compose && build?.dockerfile) {
    return {
      dockerfile: path11.resolve(build.context, build.dockerfile),
      dockerfileName: `dockerfile (from ${path11.basename(compose.file)} service "${compose.service}" build.dockerfile)`
    };
  }
  return { dockerfile: path11.resolve(context, "Dockerfile"), dockerfileName: "dockerfile" };
}
function dockerfileBase(file, context) {
  return file.label === ".railway/railway.ts" ? context : path11.dirname(file.file);
}
async function readRailwayConfigs(get, options) {
  const { cwd, context, runContext, located } = options;
  const legacySetting = get("railway-config-file");
  const legacyGiven = legacySetting !== "" && legacySetting !== "true" && legacySetting !== "false" ? path11.resolve(cwd, legacySetting) : void 0;
  const legacyWanted = legacySetting === "false" ? false : legacySetting !== "" || configAsCodeRead(options.now);
  const legacyNotes = [];
  const legacy = await findRailwayFile([context, cwd], legacyGiven).catch((err) => {
    if (legacyWanted && !located.file || !(err instanceof ConfigError)) throw err;
    legacyNotes.push(`a railway.json / railway.toml that Railway no longer reads is not valid either (${err.message}); nothing of it is used`);
    return void 0;
  });
  let railwayIac;
  if (located.file) {
    railwayIac = await readRailwayIac(located.file, {
      cwd,
      context,
      fileInput: get("railway-config") || void 0,
      serviceInput: get("railway-service") || void 0,
      environment: iacEnvironment(get, runContext),
      repository: runContext.owner ? `${runContext.owner}/${runContext.repo}` : void 0,
      git: {
        sha: runContext.pullRequest?.headSha ?? runContext.sha ?? void 0,
        branch: runContext.headRef ?? runContext.ref?.replace(/^refs\/heads\//, "") ?? void 0
      }
    });
  }
  const notes = [...located.note ? [located.note] : [], ...legacyNotes];
  if (railwayIac) {
    const mirrored = iacFileConfig(railwayIac);
    return { mirrored, railwayIac, staleRailwayFile: legacy ? { file: legacy, why: "railway.ts" } : void 0, notes };
  }
  if (legacy && !legacyWanted) return { mirrored: void 0, railwayIac, staleRailwayFile: { file: legacy, why: "cutoff" }, notes };
  return { mirrored: legacy, railwayIac, staleRailwayFile: void 0, notes };
}
function iacEnvironment(get, runContext) {
  if (get("railway-preview").toLowerCase() === "true" && runContext.pullRequest) return `pr-${runContext.pullRequest.number}`;
  return get("railway-environment") || "production";
}
function refuseForkCode(file, runContext) {
  const privileged = runContext.eventName === "pull_request_target" || runContext.eventName === "workflow_run";
  if (privileged && (runContext.pullRequest?.fromFork ?? runContext.eventName === "workflow_run")) {
    throw new ConfigError(
      "railway-config",
      `${file} is repository code and is not evaluated in a ${runContext.eventName} run, which has the base repository's credentials while a fork's code may be checked out; check pull requests in a pull_request workflow (see the README's section on forks)`
    );
  }
}
function iacFileConfig(iac) {
  const s = iac.service;
  return {
    file: iac.file,
    label: ".railway/railway.ts",
    fieldPrefix: `${s.address} `,
    cronSchedule: s.cronSchedule,
    healthcheckPath: s.healthcheckPath === void 0 ? void 0 : parseUrlPath(`.railway/railway.ts ${s.address} deploy.healthcheckPath`, s.healthcheckPath),
    healthcheckTimeoutMs: s.healthcheckTimeout !== void 0 ? s.healthcheckTimeout * 1e3 : void 0,
    dockerfilePath: s.dockerfilePath,
    startCommand: s.startCommand,
    preDeployCommand: s.preDeployCommand
  };
}

// src/host/version.ts
import { readFileSync as readFileSync3 } from "node:fs";
import path12 from "node:path";
import { fileURLToPath as fileURLToPath2 } from "node:url";
var NAME = "deploy-check";
var cached;
function toolVersion() {
  cached ??= readToolVersion(path12.dirname(fileURLToPath2(import.meta.url)));
  return cached;
}
function readToolVersion(start) {
  const tried = [];
  for (let dir = start; ; dir = path12.dirname(dir)) {
    const file = path12.join(dir, "package.json");
    tried.push(file);
    const version = versionIn(file);
    if (version !== void 0) return version;
    if (path12.dirname(dir) === dir || tried.length >= 4) break;
  }
  throw new Error(
    `deploy-check's package.json (name ${NAME}, with a version) was not found at ${tried.join(", ")}: the installation is incomplete; reinstall deploy-check or check out the action's repository whole`
  );
}
function versionIn(file) {
  let pkg;
  try {
    pkg = JSON.parse(readFileSync3(file, "utf8"));
  } catch {
    return void 0;
  }
  if (typeof pkg !== "object" || pkg === null) return void 0;
  const { name, version } = pkg;
  return name === NAME && typeof version === "string" && version !== "" ? version : void 0;
}

// src/size/baseline-store.ts
import { copyFile, mkdir, mkdtemp as mkdtemp2, readdir as readdir2, readFile as readFile3, rm as rm2, stat as stat3, writeFile } from "node:fs/promises";
import os2 from "node:os";
import path14 from "node:path";

// src/cache/key.ts
import { createHash as createHash2 } from "node:crypto";
import { readdir, stat as stat2 } from "node:fs/promises";
import path13 from "node:path";
function defaultKeyPrefix(input) {
  const fromRoot = path13.relative(input.root, input.dockerfile);
  const named = fromRoot === "" || fromRoot.startsWith("..") || path13.isAbsolute(fromRoot) ? input.dockerfile.replace(/^[/\\]+/, "") : fromRoot;
  const relative = named.split(path13.sep).join("/");
  const target = input.target ? `:${input.target}` : "";
  const raw = `deploy-check-${input.platform ?? process.platform}-${input.arch ?? process.arch}-${relative}${target}`;
  return raw.replace(/[\s,#\p{Cc}]/gu, "_").slice(0, 400);
}
function fingerprint2(input) {
  const hash = createHash2("sha256");
  const part = (label, value) => {
    hash.update(`${label}\0${value.length}\0${value}\0`);
  };
  part("revision", input.revision);
  part("dockerfile", input.dockerfileText);
  part("target", input.target ?? "");
  for (const { key, value } of input.buildArgs) part(`arg:${key}`, value);
  part("mode", input.mode);
  return hash.digest("hex").slice(0, 16);
}
function cacheKeys(prefix, runFingerprint) {
  return { key: `${prefix}${KEY_SEPARATOR}${runFingerprint}`, prefix, restoreKeys: [`${prefix}${KEY_SEPARATOR}`] };
}
var CONTEXT_FILE_LIMIT = 5e4;
async function contextRevision(context) {
  const hash = createHash2("sha256");
  let files = 0;
  const walk = async (dir) => {
    let entries;
    try {
      entries = await readdir(dir, { withFileTypes: true });
    } catch {
      return;
    }
    entries.sort((a, b) => a.name < b.name ? -1 : a.name > b.name ? 1 : 0);
    for (const entry of entries) {
      if (files >= CONTEXT_FILE_LIMIT) return;
      if (entry.name === ".git") continue;
      const full = path13.join(dir, entry.name);
      if (entry.isDirectory()) {
        await walk(full);
      } else {
        files++;
        const info = await stat2(full).catch(() => void 0);
        hash.update(`${path13.relative(context, full)}\0${info?.size ?? -1}\0${info?.mtimeMs ?? -1}
`);
      }
    }
  };
  await walk(context);
  hash.update(`files:${files}`);
  return `context:${hash.digest("hex").slice(0, 32)}`;
}
function imageScopeHash(image) {
  const relative = path13.relative(image.cwd, image.dockerfile).split(path13.sep).join("/");
  return createHash2("sha256").update(`${relative}
${image.target ?? ""}
${image.imageRepository}`).digest("hex").slice(0, 12);
}
var RUN_KEY_SEPARATOR = "~";
function saveKey(prefix, runKey) {
  return `${prefix}${runKey.replace(/[\s,~]+/g, "-")}`;
}
function newestKeys(prefix) {
  return { key: `${prefix}latest`, prefix, restoreKeys: [prefix] };
}
function runEntryKeys(prefix, runKey) {
  return { key: saveKey(prefix, runKey), prefix, restoreKeys: [prefix] };
}

// src/size/baseline-store.ts
var BaselineStore = class {
  /** For notes: "the Actions cache", "directory ./baselines". */
  description;
  entries;
  constructor(entries) {
    this.entries = entries;
    this.description = entries.description;
  }
  async restore(prefix) {
    const keys = newestKeys(prefix);
    try {
      const entry = await this.entries.restore(keys);
      if (!entry) return null;
      return { key: entry.matchedKey, content: await readFile3(path14.join(entry.dir, REPORT_FILE), "utf8") };
    } finally {
      await this.entries.release(keys);
    }
  }
  async save(key, content) {
    const prefix = key.slice(0, key.lastIndexOf(RUN_KEY_SEPARATOR) + 1);
    const keys = { key, prefix, restoreKeys: [prefix] };
    const dir = await mkdtemp2(path14.join(await this.entries.workDir(), "deploy-check-baseline-"));
    try {
      await writeFile(path14.join(dir, REPORT_FILE), content);
      if (!await this.entries.save(keys, dir)) throw new Error(`the cache did not accept key ${key}`);
    } finally {
      await rm2(dir, { recursive: true, force: true });
      await this.entries.release(keys);
    }
  }
};
var REPORT_FILE = "report.json";
var NO_BASELINE_SCOPE = { store: null, unavailable: "no baseline store is configured", branch: null, save: false, runKey: "none" };
function baselineKeyPrefix(image, branch) {
  const hash = imageScopeHash(image);
  const name = image.imageRepository.split("/").at(-1)?.replace(/[^a-zA-Z0-9._-]+/g, "-").slice(0, 40) || "image";
  return `deploy-check-size-v1-${name}-${hash}-${branch.replace(/[\s,~]+/g, "-")}${RUN_KEY_SEPARATOR}`;
}
function imageRepository(image) {
  const noDigest = image.split("@")[0] ?? image;
  const lastSlash = noDigest.lastIndexOf("/");
  const colon = noDigest.lastIndexOf(":");
  return colon > lastSlash ? noDigest.slice(0, colon) : noDigest;
}
var BaselineDirectory = class {
  kind = "directory";
  writable = true;
  description;
  dir;
  copies = /* @__PURE__ */ new Map();
  constructor(dir) {
    this.dir = dir;
    this.description = `directory ${dir}`;
  }
  /** Entries are written from the system's temporary directory: nothing but entries lands in the baseline directory. */
  workDir() {
    return Promise.resolve(os2.tmpdir());
  }
  /** Nothing is ever saved under keys.key (see newestKeys): the newest file under a restore prefix. */
  async restore(keys) {
    let names;
    try {
      names = await readdir2(this.dir);
    } catch {
      return null;
    }
    for (const prefix of keys.restoreKeys) {
      const candidates = await Promise.all(
        names.filter((n) => n.startsWith(encodeURIComponent(prefix)) && n.endsWith(".json")).map(async (n) => ({ n, mtime: (await stat3(path14.join(this.dir, n))).mtimeMs }))
      );
      const newest = candidates.sort((a, b) => b.mtime - a.mtime || b.n.localeCompare(a.n))[0];
      if (!newest) continue;
      const copy = await mkdtemp2(path14.join(os2.tmpdir(), "deploy-check-baseline-"));
      this.copies.set(keys.prefix, copy);
      await copyFile(path14.join(this.dir, newest.n), path14.join(copy, REPORT_FILE));
      return { matchedKey: decodeURIComponent(newest.n.slice(0, -".json".length)), dir: copy };
    }
    return null;
  }
  async save(keys, dir) {
    await mkdir(this.dir, { recursive: true });
    await writeFile(path14.join(this.dir, `${encodeURIComponent(keys.key)}.json`), await readFile3(path14.join(dir, REPORT_FILE)));
    await rm2(dir, { recursive: true, force: true });
    return true;
  }
  async release(keys) {
    const copy = this.copies.get(keys.prefix);
    this.copies.delete(keys.prefix);
    if (copy) await rm2(copy, { recursive: true, force: true }).catch(() => void 0);
  }
};

// src/pipeline/pipeline.ts
import { rm as rm9 } from "node:fs/promises";

// src/build/build.ts
import { spawn as spawn3 } from "node:child_process";
import { StringDecoder } from "node:string_decoder";
import { mkdtemp as mkdtemp3, readFile as readFile4, rm as rm3 } from "node:fs/promises";
import os3 from "node:os";
import path16 from "node:path";

// src/model/skipped.ts
var SKIPPED_SIZE = {
  status: "skipped",
  bytes: null,
  compressedBytes: null,
  uncompressedSource: "unavailable",
  compressedSource: "unavailable",
  store: null,
  measureMs: null,
  baseImage: null,
  layers: [],
  baseline: null,
  baselineNote: null,
  delta: null,
  budget: { metric: "compressed", status: "none", checks: [] },
  commentThreshold: { limit: "", bytes: null, percent: null, reached: null },
  baselineSaved: null,
  notes: []
};
function cacheReportOff(note, mode = null) {
  return {
    enabled: false,
    restored: false,
    key: null,
    matchedKey: null,
    saved: false,
    note,
    store: null,
    mode,
    exactHit: false,
    restoredBytes: null,
    restoreMs: null,
    saveReason: null,
    savedBytes: null,
    saveMs: null,
    timeSavedMs: null,
    warnings: []
  };
}

// src/build/plan.ts
function secretEnvName(index) {
  return `DEPLOY_CHECK_BUILD_SECRET_${index}`;
}
function planBuild(config, metadataFile, cache = { from: void 0, to: void 0 }) {
  const args = ["buildx", "build"];
  if (config.builder) args.push("--builder", config.builder);
  args.push("--file", config.dockerfile);
  if (config.target) args.push("--target", config.target);
  for (const { key, value } of config.buildArgs) args.push("--build-arg", `${key}=${value}`);
  const env = {};
  config.buildSecrets.forEach(({ key, value }, i) => {
    env[secretEnvName(i)] = value;
    args.push("--secret", `id=${key},env=${secretEnvName(i)}`);
  });
  if (cache.from) args.push("--cache-from", cache.from);
  if (cache.to) args.push("--cache-to", cache.to);
  args.push("--tag", config.image, "--tag", holdTag(config.runId), "--load", "--metadata-file", metadataFile, "--progress=rawjson", config.context);
  return { args, env };
}

// src/build/failure.ts
import path15 from "node:path";
var RULE = /^-{10,}$/;
var NUMBERED = /^(\d+) \|(?: (>>>| {3})(?: (.*))?)?$/;
function parseSourceExcerpt(lines) {
  for (let i = lines.length - 2; i >= 0; i--) {
    const header = /^(.+):(\d+)$/.exec(lines[i] ?? "");
    if (!header || !RULE.test(lines[i + 1] ?? "")) continue;
    const marked = [];
    let end = i + 2;
    for (; end < lines.length && !RULE.test(lines[end] ?? ""); end++) {
      const m = NUMBERED.exec(lines[end] ?? "");
      if (!m) break;
      if (m[2] === ">>>") marked.push({ n: Number(m[1]), text: m[3] ?? "" });
    }
    if (!RULE.test(lines[end] ?? "")) continue;
    const first = Number(header[2]);
    return {
      file: header[1] ?? "",
      line: marked[0]?.n ?? first,
      endLine: marked.at(-1)?.n ?? first,
      lines: marked.map((l) => l.text),
      from: i,
      to: end
    };
  }
  return void 0;
}
function failureSource(excerpt, dockerfile, dockerfileText) {
  const sameFile = path15.basename(dockerfile) === excerpt.file;
  if (sameFile && dockerfileText !== void 0) {
    const fileLines = dockerfileText.split(/\r?\n/);
    if (excerpt.endLine <= fileLines.length) {
      return { file: dockerfile, line: excerpt.line, endLine: excerpt.endLine, lines: fileLines.slice(excerpt.line - 1, excerpt.endLine) };
    }
  }
  return { file: sameFile ? dockerfile : excerpt.file, line: excerpt.line, endLine: excerpt.endLine, lines: [...excerpt.lines] };
}
function buildErrorText(line) {
  return line.trim().replace(/^(?:ERROR|error):\s*/, "").replace(/^failed to build:\s*/, "").replace(/^failed to solve:\s*/, "") || line.trim();
}
function stepErrorText(error2) {
  return /^process ".*" did not complete successfully: (exit code: -?\d+)$/s.exec(error2.trim())?.[1] ?? error2;
}

// src/build/progress.ts
var BuildProgress = class {
  vertexes = /* @__PURE__ */ new Map();
  /** Unfinished last line per vertex and stream: a step's stdout and stderr interleave mid-line. */
  partial = /* @__PURE__ */ new Map();
  /** Lines that were not rawjson (buildx's own errors go to stderr as text). */
  otherLines = [];
  onStepDone;
  constructor(onStepDone = () => {
  }) {
    this.onStepDone = onStepDone;
  }
  splitter = new JsonObjectSplitter(
    (json) => this.pushStatus(json),
    (line) => {
      this.otherLines.push(line);
      if (this.otherLines.length > 200) this.otherLines.shift();
    }
  );
  /** Feeds a chunk of buildx's stderr, as it arrives. */
  write(chunk) {
    this.splitter.write(chunk);
  }
  /** Flushes a trailing partial line (call once the process has exited). */
  end() {
    this.splitter.end();
  }
  announced = /* @__PURE__ */ new Set();
  /** A step is announced once, when every vertex of its instruction has completed (a COPY --link ends with its LINK). */
  announce(v) {
    const key = stepKey(v.name);
    if (key === void 0) {
      this.onStepDone(v);
      return;
    }
    if (this.announced.has(key)) return;
    const parts = [...this.vertexes.values()].filter((x) => stepKey(x.name) === key);
    if (parts.some((x) => x.completed === void 0)) return;
    this.announced.add(key);
    this.onStepDone(mergeStep(parts));
  }
  pushStatus(json) {
    let status;
    try {
      status = JSON.parse(json);
    } catch {
      this.otherLines.push(json.slice(0, 500));
      return;
    }
    for (const raw of status.vertexes ?? []) {
      if (!raw.digest) continue;
      const v = this.vertexes.get(raw.digest) ?? {
        digest: raw.digest,
        name: raw.name ?? "",
        started: void 0,
        completed: void 0,
        cached: false,
        error: void 0,
        logs: [],
        group: void 0
      };
      const wasDone = v.completed !== void 0;
      if (raw.name) v.name = raw.name;
      if (raw.started) v.started = raw.started;
      if (raw.completed) v.completed = raw.completed;
      if (raw.cached) v.cached = true;
      if (raw.error) v.error = raw.error;
      if (raw.progressGroup?.name) v.group = raw.progressGroup.name;
      this.vertexes.set(raw.digest, v);
      if (!wasDone && v.completed !== void 0) this.announce(v);
    }
    for (const log of status.logs ?? []) {
      if (!log.vertex || !log.data) continue;
      const v = this.vertexes.get(log.vertex);
      if (!v) continue;
      const key = `${log.vertex}
${log.stream ?? 1}`;
      const chunk = (this.partial.get(key)?.text ?? "") + Buffer.from(log.data, "base64").toString("utf8");
      const lines = chunk.split(/\r?\n/);
      this.partial.set(key, { vertex: log.vertex, text: lines.pop() ?? "" });
      v.logs.push(...lines);
      if (v.logs.length > 500) v.logs.splice(0, v.logs.length - 500);
    }
  }
  /** The Dockerfile steps and internal ones, in the order BuildKit reported them. */
  all() {
    for (const { vertex, text: text2 } of this.partial.values()) {
      if (text2 !== "") this.vertexes.get(vertex)?.logs.push(text2);
    }
    this.partial.clear();
    return [...this.vertexes.values()];
  }
  /**
   * Steps that count for "N of M cached": the Dockerfile's own instructions (BuildKit names them
   * "[stage n/m] RUN ..."), not context transfers or metadata loads, one per instruction as
   * buildx displays them, in the order BuildKit reported them (see `inDockerfileOrder`).
   */
  steps() {
    const byStep = /* @__PURE__ */ new Map();
    for (const v of this.all()) {
      const key = stepKey(v.name);
      if (key !== void 0) byStep.set(key, [...byStep.get(key) ?? [], v]);
    }
    return [...byStep.values()].map(mergeStep);
  }
  failed() {
    const failed = this.all().find((v) => v.error !== void 0 && !isCancelled(v));
    return failed && { ...failed, name: instructionName(failed) };
  }
};
function isCancelled(v) {
  return v.error !== void 0 && /context canceled/.test(v.error);
}
function stepKey(name) {
  return /^\[[^\]]*\d+\/\d+\]/.exec(name)?.[0];
}
function instructionName(v) {
  return v.group !== void 0 && stepKey(v.group) === stepKey(v.name) ? v.group : v.name;
}
function mergeStep(parts) {
  const live = parts.filter((v) => !isCancelled(v));
  const [first, ...rest] = live.length > 0 ? live : parts;
  if (!first) throw new Error("a step has at least one vertex");
  return rest.reduce(mergeVertices, { ...first, name: instructionName(first) });
}
function inDockerfileOrder(steps, stageNames) {
  const position = (name) => {
    const m = /^\[(?:\S+\/\S+ )?(?:(\S+) )?(\d+)\/\d+\]/.exec(name);
    if (!m) return [Number.MAX_SAFE_INTEGER, 0];
    const stage = m[1];
    let index = stage === void 0 ? stageNames.length - 1 : stageNames.findIndex((s) => s !== void 0 && s.toLowerCase() === stage.toLowerCase());
    if (index < 0 && stage !== void 0 && /^stage-\d+$/.test(stage)) index = Number(stage.slice(6));
    return [index < 0 ? stageNames.length : index, Number(m[2])];
  };
  return steps.map((step, i) => ({ step, i, at: position(step.name) })).sort((a, b) => a.at[0] - b.at[0] || a.at[1] - b.at[1] || a.i - b.i).map((x) => x.step);
}
function mergeVertices(a, b) {
  const finished = [a, b].filter((v) => v.completed !== void 0);
  const earliest = (x, y) => x === void 0 ? y : y === void 0 ? x : Date.parse(x) <= Date.parse(y) ? x : y;
  const latest = (x, y) => x === void 0 ? y : y === void 0 ? x : Date.parse(x) >= Date.parse(y) ? x : y;
  return {
    ...a,
    started: earliest(a.started, b.started),
    completed: latest(a.completed, b.completed),
    cached: finished.length > 0 ? finished.every((v) => v.cached) : a.cached && b.cached,
    error: a.error ?? b.error,
    logs: a.logs.length >= b.logs.length ? a.logs : b.logs
  };
}
function vertexDurationMs(v) {
  if (!v.started || !v.completed) return null;
  return Math.max(0, Date.parse(v.completed) - Date.parse(v.started));
}
var JsonObjectSplitter = class {
  buffer = "";
  depth = 0;
  inString = false;
  escaped = false;
  onObject;
  onText;
  constructor(onObject, onText) {
    this.onObject = onObject;
    this.onText = onText;
  }
  write(chunk) {
    for (const ch of chunk) {
      if (this.depth === 0) {
        if (ch === "{" && this.buffer.trim() === "") {
          this.buffer = "{";
          this.depth = 1;
        } else if (ch === "\n") {
          this.flushText();
        } else {
          this.buffer += ch;
        }
        continue;
      }
      this.buffer += ch;
      if (this.inString) {
        if (this.escaped) this.escaped = false;
        else if (ch === "\\") this.escaped = true;
        else if (ch === '"') this.inString = false;
      } else if (ch === '"') this.inString = true;
      else if (ch === "{") this.depth++;
      else if (ch === "}" && --this.depth === 0) {
        this.onObject(this.buffer);
        this.buffer = "";
      }
    }
  }
  end() {
    if (this.depth === 0) this.flushText();
    else this.onText(this.buffer.trim().slice(0, 500));
    this.buffer = "";
    this.depth = 0;
  }
  flushText() {
    const line = this.buffer.trim();
    this.buffer = "";
    if (line !== "") this.onText(line);
  }
};

// src/build/build.ts
async function buildStage(config, log, cache = { from: void 0, to: void 0 }, cancel) {
  let outcome = await buildOnce(config, log, cache, cancel);
  let spentMs = outcome.report.durationMs;
  for (let attempt = 2; attempt <= TRANSIENT_ATTEMPTS; attempt++) {
    const message = outcome.report.failure?.message ?? "";
    if (outcome.report.status === "success" || cancel?.aborted || !isTransientEngineError(outcome.rawError ?? message)) break;
    const pauseMs = (attempt - 1) * TRANSIENT_PAUSE_MS;
    log.warning(`The build hit a transient BuildKit error (${message}); building again in ${pauseMs / 1e3}s (attempt ${attempt} of ${TRANSIENT_ATTEMPTS}).`);
    await new Promise((resolve) => setTimeout(resolve, pauseMs));
    outcome = await buildOnce(config, log, cache, cancel);
    spentMs += pauseMs + outcome.report.durationMs;
    outcome.report.durationMs = spentMs;
    outcome.report.attempts = attempt;
  }
  return outcome;
}
var TRANSIENT_ATTEMPTS = 3;
var TRANSIENT_PAUSE_MS = 1e3;
function isTransientEngineError(message) {
  return /failed to solve: (?:[^:]*: )?not found$|failed: not found$|snapshot [^ ]+ does not exist: not found|failed to prepare extraction snapshot|lease "[^"]+": not found|image "[^"]+": already exists/.test(
    message.trim()
  );
}
async function buildOnce(config, log, cache, cancel) {
  const work = await mkdtemp3(path16.join(os3.tmpdir(), "deploy-check-build-"));
  const metadataFile = path16.join(work, "metadata.json");
  const plan = planBuild(config, metadataFile, cache);
  const progress = new BuildProgress((v) => {
    if (isStep(v))
      log.info(`${v.cached ? "CACHED " : isCancelled(v) ? "CANCELED " : ""}${v.name}${v.cached ? "" : ` (${formatSeconds2(vertexDurationMs(v))})`}`);
  });
  const started = Date.now();
  const decoder = new StringDecoder("utf8");
  let exitCode;
  let stderrTail = "";
  let metadata;
  try {
    try {
      exitCode = await runBuildx(plan.args, { ...stringEnv(process.env), ...plan.env }, cancel, (chunk) => {
        const text2 = decoder.write(chunk);
        progress.write(text2);
        stderrTail = (stderrTail + text2).slice(-8e3);
      });
    } catch (err) {
      const message2 = `could not run docker buildx: ${err.message}`;
      return { report: failedReport(Date.now() - started, config, null, message2, []), metadata: {} };
    }
    metadata = await readMetadata(metadataFile);
  } finally {
    await rm3(work, { recursive: true, force: true });
  }
  progress.end();
  const durationMs2 = Date.now() - started;
  const list2 = stepList(
    progress.steps(),
    config.dockerfileFacts.stages.map((st) => st.name),
    exitCode === 0
  );
  const steps = { total: list2.length, cached: list2.filter((s) => s.cached).length, list: list2 };
  if (exitCode === 0) {
    return {
      report: { status: "success", durationMs: durationMs2, steps, cache: cacheReportOff(null), builder: config.builder ?? null, failure: null },
      metadata
    };
  }
  const failed = progress.failed();
  const errorLines = progress.otherLines.filter((l) => !l.startsWith("{"));
  const excerpt = parseSourceExcerpt(errorLines);
  const lastLine2 = errorLines.at(-1) ?? (stderrTail.trim().split("\n").at(-1) || `docker buildx exited with code ${exitCode}`);
  const message = failed ? `step ${failed.name} failed: ${stepErrorText(failed.error ?? "unknown error")}` : buildErrorText(lastLine2);
  const rawError = failed ? message : lastLine2;
  const otherLogs = excerpt ? [...errorLines.slice(0, excerpt.from), ...errorLines.slice(excerpt.to + 1)] : errorLines;
  const logs = (failed?.logs.length ? failed.logs : otherLogs).slice(-50);
  const report = failedReport(durationMs2, config, failed?.name ?? null, message, logs);
  if (report.failure && excerpt) {
    const source = failureSource(excerpt, config.dockerfile, await readText(config.dockerfile));
    report.failure.source = { ...source, lines: [...source.lines] };
  }
  report.steps = steps;
  return { report, metadata, rawError };
}
var BUILDX_STOP_MS = 3e3;
function runBuildx(args, env, cancel, stderr) {
  return new Promise((resolve, reject) => {
    if (cancel?.aborted) {
      reject(new Error(`the run was cancelled (${String(cancel.reason)}) before the build started`));
      return;
    }
    const command = dockerCommand(args, env);
    const child = spawn3(command.file, command.args, { env, stdio: ["ignore", "ignore", "pipe"], detached: true });
    const signalGroup = (signal) => {
      try {
        if (child.pid !== void 0) process.kill(-child.pid, signal);
      } catch {
      }
    };
    let killTimer;
    const stop = () => {
      signalGroup("SIGINT");
      killTimer = setTimeout(() => signalGroup("SIGKILL"), BUILDX_STOP_MS).unref();
    };
    const killOnExit = () => signalGroup("SIGKILL");
    process.once("exit", killOnExit);
    const done = () => {
      clearTimeout(killTimer);
      cancel?.removeEventListener("abort", stop);
      process.removeListener("exit", killOnExit);
    };
    cancel?.addEventListener("abort", stop, { once: true });
    child.stderr.on("data", stderr);
    child.on("error", (err) => {
      done();
      reject(err);
    });
    child.on("close", (code) => {
      done();
      resolve(code ?? 1);
    });
  });
}
async function readMetadata(file) {
  try {
    return JSON.parse(await readFile4(file, "utf8"));
  } catch {
    return {};
  }
}
function stepList(steps, stageNames, succeeded) {
  return inDockerfileOrder(steps, stageNames).map((v) => {
    const skipped = succeeded && isCancelled(v);
    return { name: v.name, cached: v.cached || skipped, durationMs: vertexDurationMs(v), error: skipped ? null : v.error ?? null };
  });
}
async function readText(file) {
  try {
    return await readFile4(file, "utf8");
  } catch {
    return void 0;
  }
}
function failedReport(durationMs2, config, step, message, logs) {
  return {
    status: "failure",
    durationMs: durationMs2,
    steps: { total: 0, cached: 0, list: [] },
    cache: cacheReportOff(null),
    builder: config.builder ?? null,
    failure: { step, message, logs }
  };
}
function isStep(v) {
  return /^\[[^\]]*\d+\/\d+\]/.test(v.name);
}
function formatSeconds2(ms) {
  return ms === null ? "?" : `${(ms / 1e3).toFixed(1)}s`;
}
function stringEnv(env) {
  const out = {};
  for (const [k, v] of Object.entries(env)) if (v !== void 0) out[k] = v;
  return out;
}

// src/cache/layer-cache.ts
import { mkdtemp as mkdtemp4, readFile as readFile7, rm as rm4 } from "node:fs/promises";
import path19 from "node:path";

// src/model/format.ts
function formatBytes2(bytes) {
  if (bytes === null) return "n/a";
  const abs = Math.abs(bytes);
  const sign = bytes < 0 ? "-" : "";
  if (abs < 1e3) return `${sign}${abs} B`;
  const units = ["kB", "MB", "GB", "TB"];
  let value = abs;
  let unit = "B";
  for (const u of units) {
    value /= 1e3;
    unit = u;
    if (value < 1e3) break;
  }
  return `${sign}${value >= 100 ? value.toFixed(0) : value.toFixed(1)} ${unit}`;
}
function formatDuration(ms) {
  if (ms === null) return "n/a";
  if (ms < 1e3) return `${ms} ms`;
  if (ms < 6e4) return `${(ms / 1e3).toFixed(1)} s`;
  return `${Math.floor(ms / 6e4)} min ${Math.round(ms % 6e4 / 1e3)} s`;
}
function describeCache(cache, steps) {
  if (!cache.enabled) return `off${cache.note ? `: ${cache.note}` : ""}`;
  const parts = [];
  if (cache.restored) {
    parts.push(
      `restored ${cache.exactHit ? "this run's key" : cache.matchedKey ?? ""} (${formatBytes2(cache.restoredBytes)} in ${formatDuration(cache.restoreMs)})`
    );
    parts.push(
      `${steps.cached}/${steps.total} steps cached${cache.timeSavedMs !== null ? `, about ${formatDuration(cache.timeSavedMs)} of build time saved` : ""}`
    );
  } else {
    parts.push(cache.note ? `not restored: ${cache.note}` : "no cache yet");
  }
  if (cache.saved) parts.push(`saved ${formatBytes2(cache.savedBytes)} in ${formatDuration(cache.saveMs)}`);
  else if (cache.saveReason) parts.push(`not saved: ${cache.saveReason}`);
  return parts.join("; ");
}
function deployLine(d) {
  if (d.status === "skipped") return `skipped: ${d.reason ?? ""}`;
  const what = d.source === "image" ? d.image ? `image ${shortDigest(d.image)}` : "image" : d.commit ? `commit ${d.commit.slice(0, 7)}` : "commit";
  const status = d.railwayStatus ?? d.status;
  const parts = [`${status}${d.url ? ` at ${d.url}` : ""}`, `${what} in ${formatDuration(d.durationMs)}`];
  if (d.smoke) parts.push(`smoke check ${d.smoke.status}${d.smoke.httpStatus !== null ? ` (${d.smoke.httpStatus})` : ""}`);
  if (d.status === "triggered") parts.push("not waited for");
  if (d.status === "timeout") parts.push("timed out");
  if (d.status === "error" && !d.railwayStatus) parts[0] = "error";
  if (d.status === "delegated") parts.push("Railway deploys it once the checks pass");
  if (d.rollback) parts.push(d.rollback.reason);
  if (d.cancelled) parts.push("cancelled");
  if (d.preview?.url) parts.push(`preview ${d.preview.url}`);
  return parts.join(", ");
}
function shortDigest(ref) {
  return ref.replace(/@sha256:([a-f0-9]{12})[a-f0-9]+$/, "@sha256:$1\u2026");
}
function describeDrift(d) {
  const show = (v) => v === null ? "not set" : typeof v === "number" ? `${v} s` : `"${v}"`;
  return `${d.fileName} sets ${d.setting} to ${show(d.file)} but the Railway service has ${show(d.service)}`;
}
function hygieneLine(hy) {
  const count = (sev) => hy.findings.filter((f) => f.severity === sev).length;
  const parts = [];
  const errors = count("error");
  const warnings = count("warning");
  if (errors) parts.push(`${errors} error${errors > 1 ? "s" : ""}`);
  if (warnings) parts.push(`${warnings} warning${warnings > 1 ? "s" : ""}`);
  const notes = count("info");
  const head = parts.length ? parts.join(", ") : notes ? `no problems, ${notes} note${notes > 1 ? "s" : ""}` : "no findings";
  const ctx = hy.context ? `, context ${formatBytes2(hy.context.bytes)}` : "";
  return `${head}; runs as ${hy.user ?? "root"}${ctx}${hy.suppressed ? `, ${hy.suppressed} ignored` : ""}`;
}
function sourceLabel(source) {
  const name = source.file.split(/[\\/]/).at(-1) ?? source.file;
  return `${name}:${source.line}${source.endLine > source.line ? `-${source.endLine}` : ""}`;
}
function decisiveAnswer(answers) {
  if (!answers?.length) return null;
  return answers.find((a) => !a.transient) ?? latestAnswer(answers);
}
function latestAnswer(answers) {
  return answers.reduce((latest, a) => latest === null || a.lastMs >= latest.lastMs ? a : latest, null);
}
function describeHttpAnswer(a) {
  if (a.status === null) return a.transient ? `no answer: ${a.error ?? ""}` : `answered, but ${a.error ?? ""}`;
  const redirect = a.status >= 300 && a.status < 400 ? ` (redirect to ${a.location ?? "no Location given"})` : "";
  const retry = a.retryAfterMs === void 0 ? "" : a.retryAfterMs === null ? " (no Retry-After)" : ` (Retry-After ${formatDuration(a.retryAfterMs)})`;
  return `${a.status}${redirect}${retry}`;
}
function describeAnswerTimes(a) {
  const s = (ms) => `${(ms / 1e3).toFixed(1)} s`;
  return a.count === 1 ? `once at ${s(a.firstMs)}` : `\xD7 ${a.count} from ${s(a.firstMs)} to ${s(a.lastMs)}`;
}
function preDeployOutcome(c) {
  if (c.exitCode !== null) return `exit ${c.exitCode}`;
  return c.stillRunningAfterMs ? "still running, stopped" : "did not start";
}
function planLines(plan) {
  return plan.changes.map((c) => `${c.field}: ${c.before ?? "(not set)"} \u2192 ${c.after ?? "(not set)"}`.replace(/[\r\n]+/g, " "));
}

// src/cache/save-decision.ts
var MAX_ENTRY_BYTES = 5e9;
function decideSave(f) {
  if (f.policy === "never") return { save: false, reason: "cache-save is never" };
  if (f.readOnly) return { save: false, reason: "this run may only read the cache (the runner's ACTIONS_CACHE_MODE)" };
  if (f.storeFailed) return { save: false, reason: "the cache store failed during the restore" };
  if (f.exactHit) {
    return { save: false, reason: "the restored entry already has this run's key, and keys cannot be overwritten (an identical run saved it)" };
  }
  if (f.policy === "default-branch" && f.onDefaultBranch !== true) {
    return {
      save: false,
      reason: f.onDefaultBranch === null ? "cache-save is default-branch, and this run cannot tell which branch is the default" : `cache-save is default-branch, and this run is on ${f.ref ?? "another ref"}`
    };
  }
  if (f.build === "pending") return { save: true, reason: "the cache will be saved if the build succeeds" };
  if (f.build === "failed") return { save: false, reason: "the build failed, so its cache is incomplete" };
  if (f.exportedBytes === null || f.exportedBytes === 0) return { save: false, reason: "the build exported no usable cache" };
  if (f.exportedBytes > MAX_ENTRY_BYTES) {
    return {
      save: false,
      reason: `the cache is ${f.exportedBytes} bytes, more than half of the repository's 10 GB cache; use cache-mode: min to keep only the final stage's layers`
    };
  }
  return { save: true, reason: f.policy === "default-branch" ? "cache-save is default-branch, and this run is on the default branch" : "cache-save is always" };
}

// src/cache/step-times.ts
import { readFile as readFile5, writeFile as writeFile2 } from "node:fs/promises";
import path17 from "node:path";
var FILE = "deploy-check-steps.json";
async function readStepTimes(cacheDir) {
  try {
    const parsed2 = JSON.parse(await readFile5(path17.join(cacheDir, FILE), "utf8"));
    const out = {};
    if (parsed2.steps && typeof parsed2.steps === "object") {
      for (const [name, ms] of Object.entries(parsed2.steps)) if (typeof ms === "number" && ms >= 0) out[name] = ms;
    }
    return out;
  } catch {
    return {};
  }
}
function mergeStepTimes(previous, steps) {
  const out = {};
  for (const step of steps) {
    const ms = step.cached ? previous[step.name] : step.durationMs;
    if (typeof ms === "number") out[step.name] = ms;
  }
  return out;
}
function timeSaved(previous, steps) {
  let total = 0;
  let known = false;
  for (const step of steps) {
    const ms = step.cached ? previous[step.name] : void 0;
    if (ms !== void 0) {
      total += ms;
      known = true;
    }
  }
  return known ? total : null;
}
async function writeStepTimes(cacheDir, times) {
  await writeFile2(path17.join(cacheDir, FILE), JSON.stringify({ version: 1, steps: times }) + "\n");
}

// src/cache/store.ts
import { readdir as readdir3, readFile as readFile6, stat as stat4 } from "node:fs/promises";
import path18 from "node:path";
var CacheStoreError = class extends Error {
  constructor(message) {
    super(message);
    this.name = "CacheStoreError";
  }
};
async function directoryBytes(dir) {
  let total = 0;
  let entries;
  try {
    entries = await readdir3(dir, { withFileTypes: true, recursive: true });
  } catch {
    return 0;
  }
  for (const entry of entries) {
    if (!entry.isFile()) continue;
    const info = await stat4(path18.join(entry.parentPath, entry.name)).catch(() => void 0);
    total += info?.size ?? 0;
  }
  return total;
}
async function isUsableCache(dir) {
  try {
    const index = JSON.parse(await readFile6(path18.join(dir, "index.json"), "utf8"));
    const manifests = index.manifests ?? [];
    if (manifests.length === 0) return false;
    for (const m of manifests) {
      const digest = typeof m.digest === "string" ? m.digest : "";
      const [algorithm, hex] = digest.split(":");
      if (!algorithm || !hex) return false;
      const info = await stat4(path18.join(dir, "blobs", algorithm, hex));
      if (info.size === 0) return false;
    }
    return true;
  } catch {
    return false;
  }
}

// src/cache/layer-cache.ts
function layerCacheWanted(config, ctx) {
  return config.cache.enabled && ctx.store !== null;
}
async function prepareLayerCache(config, builder, log, ctx) {
  const none2 = (report2) => ({
    plan: { from: void 0, to: void 0 },
    builder: builder.name,
    report: report2,
    keys: null,
    exportDir: void 0,
    restored: null,
    stepTimes: {},
    storeFailed: false
  });
  const settings = config.cache;
  if (!settings.enabled) return none2(cacheReportOff("the cache input is false"));
  const report = { ...cacheReportOff(null, settings.mode), enabled: true };
  const warn = (message) => {
    report.warnings.push(message);
    log.warning(message);
  };
  const { store } = ctx;
  if (!store) {
    report.enabled = false;
    report.note = ctx.missingStore?.reason ?? "no cache store";
    if (ctx.missingStore?.warn) warn(`Layer cache off: ${report.note}`);
    else log.info(`Layer cache off: ${report.note}`);
    return none2(report);
  }
  report.store = store.kind;
  const keys = await layerCacheKeys(config, ctx);
  report.key = keys.key;
  if (builder.cannotExport) {
    report.note = builder.cannotExport.note;
    warn(builder.cannotExport.warning);
    return none2({ ...report, enabled: false });
  }
  const { restored, storeFailed, stepTimes } = await restoreLayers(store, keys, report, warn, log);
  const before = decideSave({
    policy: settings.save,
    exactHit: report.exactHit,
    onDefaultBranch: ctx.onDefaultBranch,
    ref: ctx.ref,
    readOnly: !store.writable,
    storeFailed,
    build: "pending",
    exportedBytes: null
  });
  let exportDir;
  if (before.save) {
    exportDir = await mkdtemp4(path19.join(await store.workDir(), "export-"));
  } else {
    report.saveReason = before.reason;
    log.info(`Layer cache will not be saved: ${before.reason}`);
  }
  const plan = {
    from: restored ? `type=local,src=${restored.dir}` : void 0,
    // ignore-error: a failed export must not fail the build; the empty export is caught before saving.
    // zstd: layers the export has to compress (the image store keeps them uncompressed) compress
    // several times faster than with gzip, which is most of what a cold run's export costs.
    to: exportDir ? `type=local,dest=${exportDir},mode=${settings.mode},compression=zstd,ignore-error=true` : void 0
  };
  return { plan, builder: builder.name, report, keys, exportDir, restored, stepTimes, storeFailed };
}
async function layerCacheKeys(config, ctx) {
  const settings = config.cache;
  const prefix = settings.keyPrefix ?? defaultKeyPrefix({ dockerfile: config.dockerfile, target: config.target, root: ctx.root });
  return cacheKeys(
    prefix,
    fingerprint2({
      revision: ctx.revision ?? await contextRevision(config.context),
      dockerfileText: await readFile7(config.dockerfile, "utf8"),
      target: config.target,
      buildArgs: config.buildArgs,
      mode: settings.mode
    })
  );
}
async function restoreLayers(store, keys, report, warn, log) {
  let restored = null;
  let storeFailed = false;
  let stepTimes = {};
  const restoreStarted = Date.now();
  try {
    restored = await store.restore(keys);
  } catch (err) {
    storeFailed = true;
    report.note = `${store.description} failed: ${err.message}`;
    warn(`Layer cache unavailable (${store.description}: ${err.message}); building without it.`);
    if (!(err instanceof CacheStoreError)) log.debug(err.stack ?? "");
  }
  report.restoreMs = Date.now() - restoreStarted;
  if (restored) {
    report.restored = true;
    report.matchedKey = restored.matchedKey;
    report.exactHit = restored.matchedKey === keys.key;
    report.restoredBytes = await directoryBytes(restored.dir);
    stepTimes = await readStepTimes(restored.dir);
    log.info(
      `Restored layer cache ${restored.matchedKey}${report.exactHit ? " (this run's key)" : ""}: ${formatBytes2(report.restoredBytes)} in ${formatDuration(report.restoreMs)}`
    );
  } else if (!storeFailed) {
    log.info(`No layer cache under ${keys.restoreKeys.join(", ")} yet; this build starts cold`);
  }
  return { restored, storeFailed, stepTimes };
}
async function finishLayerCache(prepared, build, config, log, ctx) {
  const { store } = ctx;
  const report = { ...prepared.report, warnings: [...prepared.report.warnings] };
  if (prepared.restored) report.timeSavedMs = timeSaved(prepared.stepTimes, build.steps.list);
  const { exportDir, keys } = prepared;
  if (!exportDir || !keys || !store) return report;
  const exportedBytes = build.status === "success" && await isUsableCache(exportDir) ? await directoryBytes(exportDir) : null;
  const decision = decideSave({
    policy: config.cache.save,
    exactHit: report.exactHit,
    onDefaultBranch: ctx.onDefaultBranch,
    ref: ctx.ref,
    readOnly: !store.writable,
    storeFailed: prepared.storeFailed,
    build: build.status === "success" ? "succeeded" : "failed",
    exportedBytes
  });
  report.saveReason = decision.reason;
  if (!decision.save) {
    await rm4(exportDir, { recursive: true, force: true });
    if (build.status === "success" && exportedBytes === null) {
      const message = `Layer cache not saved: the build exported no usable cache (builder ${prepared.builder ?? "default"}); the next build starts without one.`;
      report.warnings.push(message);
      log.warning(message);
    } else {
      log.info(`Layer cache not saved: ${decision.reason}`);
    }
    return report;
  }
  await writeStepTimes(exportDir, mergeStepTimes(prepared.stepTimes, build.steps.list));
  const started = Date.now();
  try {
    const accepted = await store.save(keys, exportDir);
    report.saveMs = Date.now() - started;
    if (accepted) {
      report.saved = true;
      report.savedBytes = exportedBytes;
      log.info(`Saved layer cache ${keys.key}: ${formatBytes2(exportedBytes)} in ${formatDuration(report.saveMs)}`);
    } else {
      report.saveReason = "another job saved an entry under this key first";
      log.info(`Layer cache not saved: ${report.saveReason}`);
    }
  } catch (err) {
    report.saveMs = Date.now() - started;
    report.saveReason = `saving failed: ${err.message}`;
    const message = `Layer cache not saved (${store.description}: ${err.message}); the next build starts from the previous cache.`;
    report.warnings.push(message);
    log.warning(message);
  } finally {
    await rm4(exportDir, { recursive: true, force: true });
  }
  return report;
}
function failedOnCache(build) {
  return build.status === "failure" && build.failure !== null && build.failure.step === null && /cache export|cache import|exporting cache|importing cache|cache manifest|cache-from|cache-to/i.test(build.failure.message);
}

// src/deploy/railway/gate.ts
var AUTO_RULE = "deploy: auto deploys on a push to the default branch, a published release or a manual dispatch";
function decideGate(mode, event, checksFailed) {
  if (mode === "never") return { deploy: false, reason: 'deploy is "never"' };
  let why2;
  if (mode === "always") {
    why2 = 'deploy is "always"';
  } else {
    const auto = autoDecision(event);
    if (!auto.deploy) return auto;
    why2 = auto.why;
  }
  if (checksFailed !== null) return { deploy: false, reason: `a check failed (${checksFailed}); only an image that passed every check is deployed` };
  return { deploy: true, why: why2 };
}
function autoDecision(event) {
  if (event === null) {
    return {
      deploy: false,
      reason: 'deploy is "auto" and this is a local run: auto deploys only from GitHub Actions; pass --deploy always to deploy from here'
    };
  }
  switch (event.name) {
    case "pull_request":
    case "pull_request_target":
    case "pull_request_review":
    case "pull_request_review_comment":
      return { deploy: false, reason: `a pull request never deploys under deploy: auto (${event.name})` };
    case "push": {
      if (event.defaultBranch === null) {
        return { deploy: false, reason: "a push, but the event payload names no default branch to compare with; set deploy: always to deploy on this push" };
      }
      const defaultRef = `refs/heads/${event.defaultBranch}`;
      if (event.ref === defaultRef) return { deploy: true, why: `a push to the default branch (${event.defaultBranch})` };
      return { deploy: false, reason: `a push to ${event.ref ?? "an unknown ref"}, not to the default branch ${defaultRef} (${AUTO_RULE})` };
    }
    case "release":
      if (event.action === "published") return { deploy: true, why: "a published release" };
      return { deploy: false, reason: `a release event of type "${event.action ?? "unknown"}", not "published" (${AUTO_RULE})` };
    case "workflow_dispatch":
      return { deploy: true, why: `a manual dispatch${event.ref ? ` on ${event.ref}` : ""}` };
    default:
      return { deploy: false, reason: `the event "${event.name}" does not deploy (${AUTO_RULE}; set deploy: always to deploy on it)` };
  }
}

// src/deploy/railway/trigger.ts
function branchOf(ref) {
  return ref?.startsWith("refs/heads/") ? ref.slice("refs/heads/".length) : null;
}
function matchTrigger(triggers, branch, repository) {
  const repo = repository?.toLowerCase();
  return triggers.find((t) => t.branch === branch && (repo === void 0 || t.repository.toLowerCase() === repo));
}
async function findTrigger(client, target, event) {
  const branch = branchOf(event?.ref);
  if (branch === null) return null;
  const triggers = (await client.request(DEPLOYMENT_TRIGGERS, { projectId: target.projectId, environmentId: target.environmentId, serviceId: target.serviceId })).deploymentTriggers.edges.map((e) => e.node).filter((t) => t.serviceId === null || t.serviceId === target.serviceId);
  return matchTrigger(triggers, branch, event?.repository) ?? null;
}
function commitOf(deployment) {
  const meta = deployment.meta;
  if (typeof meta !== "object" || meta === null) return null;
  const hash = meta["commitHash"];
  return typeof hash === "string" && hash !== "" ? hash : null;
}
async function commitDeployment(client, target, commit) {
  const listed = (await client.request(DEPLOYMENTS, { input: { serviceId: target.serviceId, environmentId: target.environmentId }, first: 20 })).deployments.edges.map((e) => e.node);
  return listed.find((d) => commitOf(d)?.toLowerCase() === commit.toLowerCase()) ?? null;
}
async function awaitCommitDeployment(client, target, commit, timeoutMs, sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms))) {
  const deadline = Date.now() + timeoutMs;
  const schedule = pollSchedule(timeoutMs);
  let delay;
  for (; ; ) {
    const found = await commitDeployment(client, target, commit);
    if (found) return found;
    const remaining = deadline - Date.now();
    if (remaining <= 0) return null;
    delay = nextPollDelay(delay, schedule, remaining);
    await sleep(delay);
  }
}
function dashboardUrl(target, deploymentId) {
  const base = `https://railway.com/project/${encodeURIComponent(target.projectId)}/service/${encodeURIComponent(target.serviceId)}`;
  return `${base}?environmentId=${encodeURIComponent(target.environmentId)}${deploymentId ? `&id=${encodeURIComponent(deploymentId)}` : ""}`;
}

// src/deploy/railway/rollback.ts
async function previousLive(client, target, except) {
  try {
    const listed = (await client.request(DEPLOYMENTS, { input: { serviceId: target.serviceId, environmentId: target.environmentId, status: { in: ["SUCCESS"] } }, first: 5 })).deployments.edges.map((e) => e.node).filter((d) => d.id !== except);
    const live = listed[0];
    if (!live) return { none: "no earlier SUCCESS deployment of the service in this environment to return to" };
    return { found: { id: live.id, commit: commitOf(live), canRollback: live.canRollback } };
  } catch (err) {
    return { none: `the deployment live before could not be read: ${err.message}` };
  }
}
function describeLive(live) {
  return `${live.id}${live.commit ? ` (${live.commit.slice(0, 7)})` : ""}`;
}
async function rollBack(client, previous, enabled) {
  const to = "found" in previous ? previous.found : null;
  const base = { to: to?.id ?? null, commit: to?.commit ?? null };
  if (!enabled) return { ...base, status: "off", reason: "deploy-rollback is false: the deployment that failed its smoke check stays live" };
  if (!to) return { ...base, status: "unavailable", reason: "none" in previous ? previous.none : "nothing to return to" };
  if (!to.canRollback) return { ...base, status: "unavailable", reason: `Railway cannot roll back to ${describeLive(to)} (canRollback is false)` };
  try {
    const accepted = (await client.request(DEPLOYMENT_ROLLBACK, { id: to.id })).deploymentRollback;
    if (!accepted) return { ...base, status: "failed", reason: `Railway did not accept the rollback to ${describeLive(to)}` };
    return { ...base, status: "rolled-back", reason: `rolled back to ${describeLive(to)}` };
  } catch (err) {
    return { ...base, status: "failed", reason: `rolling back to ${describeLive(to)} failed: ${err.message}` };
  }
}

// src/deploy/railway/smoke.ts
async function smokeCheck(url, timeoutMs, options = {}) {
  const sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
  const started = Date.now();
  const deadline = started + timeoutMs;
  const schedule = pollSchedule(timeoutMs);
  const report = { status: "failed", url, httpStatus: null, error: null, attempts: 0, durationMs: 0 };
  let delay;
  for (; ; ) {
    report.attempts++;
    try {
      const res = await fetch(url, {
        redirect: "manual",
        headers: { "user-agent": "deploy-check" },
        signal: AbortSignal.timeout(Math.max(200, Math.min(1e4, deadline - Date.now())))
      });
      await res.arrayBuffer().catch(() => void 0);
      report.httpStatus = res.status;
      report.error = null;
      if (res.status >= 200 && res.status < 400) {
        report.status = "passed";
        break;
      }
    } catch (err) {
      const e = err;
      report.error = e.name === "TimeoutError" ? "no answer in time" : e.cause?.code ?? e.message ?? String(err);
    }
    const remaining = deadline - Date.now();
    if (remaining <= 0) break;
    delay = nextPollDelay(delay, schedule, remaining);
    await sleep(delay);
  }
  report.durationMs = Date.now() - started;
  return report;
}
function publicUrl(domainOrUrl) {
  return /^https?:\/\//i.test(domainOrUrl) ? domainOrUrl.replace(/\/+$/, "") : `https://${domainOrUrl.replace(/\/+$/, "")}`;
}
function joinUrl(base, pathname) {
  return `${base.replace(/\/+$/, "")}${pathname.startsWith("/") ? pathname : `/${pathname}`}`;
}

// src/deploy/railway/status.ts
var CLASSES = {
  SUCCESS: "success",
  // A deployment that went idle after succeeding (serverless sleep).
  SLEEPING: "success",
  FAILED: "failure",
  CRASHED: "failure",
  REMOVED: "failure",
  REMOVING: "failure",
  SKIPPED: "failure",
  // The only status that waits for a person.
  NEEDS_APPROVAL: "approval",
  // "Wait for CI": held until the commit's GitHub checks pass, this very run's included; Railway's CLI says "Waiting for CI".
  WAITING: "waiting-for-ci",
  QUEUED: "in-progress",
  INITIALIZING: "in-progress",
  BUILDING: "in-progress",
  DEPLOYING: "in-progress"
};
function classifyStatus(status) {
  return CLASSES[status] ?? "in-progress";
}
function isKnownStatus(status) {
  return status in CLASSES;
}
function describeStatus(status) {
  switch (status) {
    case "FAILED":
      return "the build or deploy failed at Railway";
    case "CRASHED":
      return "the service started and then crashed at Railway";
    case "REMOVED":
      return "the deployment was removed before it went live (replaced by a newer deployment, or removed by hand)";
    case "REMOVING":
      return "the deployment is being removed before it went live";
    case "SKIPPED":
      return "Railway skipped the deployment (for example watch paths matched no changed file, or a newer deployment superseded it)";
    case "NEEDS_APPROVAL":
      return "the deployment waits for a person to approve it in Railway";
    case "WAITING":
      return `Railway holds the deployment until the commit's GitHub checks pass ("Wait for CI" on the service's deployment trigger), this workflow's included`;
    case "SLEEPING":
      return "the deployment succeeded and is sleeping (idle)";
    case "SUCCESS":
      return "the deployment is live";
    default:
      return `Railway reports ${status}`;
  }
}

// src/deploy/railway/wait.ts
async function waitForDeployment(client, id, options) {
  const now = options.now ?? Date.now;
  const sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
  const started = now();
  const deadline = started + options.timeoutMs;
  const schedule = pollSchedule(options.timeoutMs);
  let delay;
  let last = null;
  let firstSeen = started;
  let polls = 0;
  for (; ; ) {
    const deployment = (await client.request(DEPLOYMENT, { id }, { deadline: Math.max(deadline, now() + 1e3) })).deployment;
    polls++;
    if (deployment.status !== last?.status) {
      options.onStatus?.(
        isKnownStatus(deployment.status) ? deployment.status : `${deployment.status} (a status deploy-check does not know: waiting on)`,
        last?.status ?? null
      );
      firstSeen = now();
    }
    last = deployment;
    const kind = classifyStatus(deployment.status);
    const held = heldFor(deployment, firstSeen, now());
    if (kind !== "in-progress") return { end: kind, deployment, statusHeldMs: held, waitedMs: now() - started, polls };
    const remaining = deadline - now();
    if (remaining <= 0) return { end: "timeout", deployment, statusHeldMs: held, waitedMs: now() - started, polls };
    delay = nextPollDelay(delay, schedule, remaining);
    await sleep(delay);
  }
}
function heldFor(deployment, firstSeen, at) {
  const updated = deployment.statusUpdatedAt ? Date.parse(deployment.statusUpdatedAt) : Number.NaN;
  const since = !Number.isNaN(updated) && updated <= at ? Math.min(updated, firstSeen) : firstSeen;
  return Math.max(0, at - since);
}

// src/deploy/railway/follow.ts
var LOG_LINES = 30;
function failDeploy(out, status, reason, log) {
  out.status = status;
  out.reason = reason;
  log.error(reason);
}
async function followDeployment(f, out) {
  const { client, settings, target, deploymentId, log } = f;
  out.deploymentId = deploymentId;
  if (!settings.wait) {
    const deployment = (await client.request(DEPLOYMENT, { id: deploymentId })).deployment;
    out.railwayStatus = deployment.status;
    out.url = await deploymentUrl(client, deployment, target);
    out.status = "triggered";
    out.reason = "deploy-wait is false: deploy-check did not wait for Railway's verdict";
    return;
  }
  const outcome = await waitForDeployment(client, deploymentId, {
    timeoutMs: settings.timeoutMs,
    onStatus: (status2) => log.info(`Railway deployment ${deploymentId}: ${status2}`)
  });
  const status = outcome.deployment?.status ?? null;
  out.railwayStatus = status;
  const id = `Railway deployment ${deploymentId}`;
  switch (outcome.end) {
    case "success": {
      out.status = "success";
      out.url = outcome.deployment ? await deploymentUrl(client, outcome.deployment, target) : null;
      log.info(`${id} is ${status}${out.url ? ` at ${out.url}` : ""} after ${formatDuration(outcome.waitedMs)}`);
      if (settings.smoke) await smoke(f, out, id);
      return;
    }
    case "failure": {
      out.logs = await railwayLogs(client, deploymentId);
      const first = status === "CRASHED" ? out.logs.deploy : out.logs.build;
      const second = status === "CRASHED" ? out.logs.build : out.logs.deploy;
      const tail = first.filter((l) => l.trim() !== "").at(-1) ?? second.filter((l) => l.trim() !== "").at(-1);
      failDeploy(
        out,
        "failed",
        `${id} ended ${status ?? "unknown"}: ${describeStatus(status ?? "")}${tail ? `; last log line: ${tail.trim().slice(0, 300)}` : ""}`,
        log
      );
      return;
    }
    case "approval": {
      out.status = "waiting";
      out.reason = `${id} is ${status ?? ""}: ${describeStatus(status ?? "")}; deploy-wait-approval is ${settings.onApproval}, so this ${settings.onApproval === "fail" ? "fails" : "passes"} the run`;
      if (settings.onApproval === "fail") log.error(out.reason);
      else log.warning(out.reason);
      return;
    }
    case "waiting-for-ci": {
      out.status = "delegated";
      out.reason = `${id} is WAITING: ${describeStatus("WAITING")}; Railway deploys it once they pass, and a failed check stops it`;
      log.info(out.reason);
      return;
    }
    case "timeout": {
      await timedOut(f, out, id, `it was still ${status ?? "unknown"}, for ${formatDuration(outcome.statusHeldMs)}`);
      return;
    }
  }
}
async function timedOut(f, out, id, stillWas) {
  const { client, settings, deploymentId, log } = f;
  out.logs = await railwayLogs(client, deploymentId);
  if (!f.own) {
    failDeploy(
      out,
      "timeout",
      `${id} had no verdict within ${formatDuration(settings.timeoutMs)} (deploy-timeout): ${stillWas}; it is Railway's own deployment of the push, so deploy-check left it running`,
      log
    );
    return;
  }
  const cancel = await cancelDeployment(client, deploymentId);
  out.cancelled = cancel === null;
  const after = cancel === null ? "deploy-check cancelled it (deploymentCancel) so that it cannot go live later unobserved" : `cancelling it failed (${cancel}): it may still go live later`;
  failDeploy(out, "timeout", `${id} had no verdict within ${formatDuration(settings.timeoutMs)} (deploy-timeout): ${stillWas}; ${after}`, log);
}
async function cancelDeployment(client, deploymentId) {
  try {
    const done = (await client.request(DEPLOYMENT_CANCEL, { id: deploymentId })).deploymentCancel;
    return done ? null : "Railway answered false";
  } catch (err) {
    return err.message;
  }
}
async function smoke(f, out, id) {
  const { settings, log } = f;
  if (!settings.smoke) return;
  if (!out.url) {
    failDeploy(out, "failed", `smoke-path is set but ${id} has no public URL (give the service a domain in Railway)`, log);
    return;
  }
  const url = joinUrl(out.url, settings.smoke.path);
  log.info(`Smoke check: GET ${url}, up to ${formatDuration(settings.smoke.timeoutMs)}`);
  out.smoke = await smokeCheck(url, settings.smoke.timeoutMs);
  if (out.smoke.status === "passed") {
    log.info(`Smoke check passed: ${out.smoke.httpStatus ?? ""} after ${out.smoke.attempts} attempt(s)`);
    return;
  }
  const seen = out.smoke.httpStatus !== null ? `it answered ${out.smoke.httpStatus}` : `no answer (${out.smoke.error ?? "unknown"})`;
  const failure = `${id} is live but the smoke check GET ${url} got ${seen} within ${formatDuration(settings.smoke.timeoutMs)} (smoke-timeout)`;
  out.rollback = await rollBack(f.client, f.previous ?? { none: "the deployment live before was not read" }, settings.rollback);
  const rollback = out.rollback;
  const then = rollback.status === "rolled-back" ? `; ${rollback.reason}` : rollback.status === "off" ? `; ${rollback.reason}` : `; no rollback: ${rollback.reason}`;
  if (rollback.status === "rolled-back") log.info(`Railway: ${rollback.reason}`);
  failDeploy(out, "failed", `${failure}${then}`, log);
}
async function deploymentUrl(client, deployment, target) {
  const direct = deployment.staticUrl || deployment.url;
  if (direct) return publicUrl(direct);
  try {
    const domains = (await client.request(DOMAINS, { environmentId: target.environmentId, projectId: target.projectId, serviceId: target.serviceId })).domains;
    const domain = domains.customDomains[0]?.domain ?? domains.serviceDomains[0]?.domain;
    return domain ? publicUrl(domain) : null;
  } catch {
    return null;
  }
}
async function railwayLogs(client, deploymentId) {
  const read = async (kind) => {
    try {
      const lines = kind === "build" ? (await client.request(BUILD_LOGS, { deploymentId, limit: 100 })).buildLogs : (await client.request(DEPLOYMENT_LOGS, { deploymentId, limit: 100 })).deploymentLogs;
      return lines.slice(-LOG_LINES).map((l) => l.message);
    } catch (err) {
      return [`(Railway's ${kind} logs could not be read: ${err.message})`];
    }
  };
  return { build: await read("build"), deploy: await read("deploy"), push: [] };
}

// src/deploy/railway/preview.ts
var UPDATES = /* @__PURE__ */ new Set(["opened", "reopened", "synchronize"]);
function previewName(number) {
  return `pr-${number}`;
}
function previewAction(event) {
  const pr = event?.pullRequest ?? null;
  if (event?.name !== "pull_request" || pr === null) {
    return {
      kind: "none",
      number: null,
      reason: `railway-preview acts on pull_request events only (this is ${event ? `a ${event.name} event` : "a local run"})`
    };
  }
  const base = pr.baseRepository ?? event.repository ?? null;
  if (pr.headRepository === null || base === null || pr.headRepository.toLowerCase() !== base.toLowerCase()) {
    return {
      kind: "none",
      number: pr.number,
      reason: `the pull request comes from ${pr.headRepository ?? "an unknown repository"}, not from ${base ?? "this repository"}: a fork gets no preview environment`
    };
  }
  if (event.action === "closed") return { kind: "delete", number: pr.number };
  if (event.action !== null && !UPDATES.has(event.action)) {
    return { kind: "none", number: pr.number, reason: `a pull_request "${event.action}" event changes no code: the preview environment is left as it is` };
  }
  return { kind: "deploy", number: pr.number, headSha: pr.headSha };
}
async function environmentsNamed(client, projectId, name) {
  const all = (await client.request(ENVIRONMENTS, { projectId })).environments.edges.map((e) => e.node);
  return all.filter((e) => e.name === name).sort((a, b) => Date.parse(a.createdAt) - Date.parse(b.createdAt) || a.id.localeCompare(b.id));
}
async function findOrCreatePreview(client, target, number) {
  const name = previewName(number);
  const existing = (await environmentsNamed(client, target.projectId, name))[0];
  if (existing) return { id: existing.id, name, created: false };
  let mine;
  try {
    mine = (await client.request(ENVIRONMENT_CREATE, {
      input: { projectId: target.projectId, name, sourceEnvironmentId: target.environmentId, ephemeral: true, skipInitialDeploys: true }
    })).environmentCreate;
  } catch (err) {
    if (!(err instanceof RailwayApiError) || err.kind !== "graphql") throw err;
    const raced = (await environmentsNamed(client, target.projectId, name))[0];
    if (raced) return { id: raced.id, name, created: false };
    throw err;
  }
  const kept = (await environmentsNamed(client, target.projectId, name))[0] ?? mine;
  if (kept.id !== mine.id) {
    await client.request(ENVIRONMENT_DELETE, { id: mine.id });
    return { id: kept.id, name, created: false };
  }
  return { id: mine.id, name, created: true };
}
async function deletePreview(client, projectId, number) {
  let deleted = 0;
  for (const environment of await environmentsNamed(client, projectId, previewName(number))) {
    try {
      await client.request(ENVIRONMENT_DELETE, { id: environment.id });
      deleted++;
    } catch (err) {
      if (!(err instanceof RailwayApiError && /not found/i.test(err.detail))) throw err;
    }
  }
  return deleted;
}
async function ensurePreviewDomain(client, source, preview) {
  const domainsOf = async (t) => (await client.request(DOMAINS, { environmentId: t.environmentId, projectId: t.projectId, serviceId: t.serviceId })).domains;
  const own2 = await domainsOf(preview);
  const existing = own2.serviceDomains[0]?.domain ?? own2.customDomains[0]?.domain;
  if (existing) return existing;
  if ((await domainsOf(source)).serviceDomains.length === 0) return null;
  return (await client.request(SERVICE_DOMAIN_CREATE, { input: { environmentId: preview.environmentId, serviceId: preview.serviceId } })).serviceDomainCreate.domain;
}

// src/deploy/railway/push.ts
import { existsSync as existsSync6 } from "node:fs";
import { chmod, mkdtemp as mkdtemp5, readFile as readFile8, rm as rm5, symlink, writeFile as writeFile3 } from "node:fs/promises";
import os4 from "node:os";
import path20 from "node:path";
var PushError = class extends Error {
  output;
  constructor(message, output) {
    super(message);
    this.name = "PushError";
    this.output = output;
  }
};
var DIGEST = /\bdigest: (sha256:[a-f0-9]{64})\b/;
function splitReference(reference) {
  const slash = reference.lastIndexOf("/");
  const colon = reference.lastIndexOf(":");
  if (colon > slash) return { repository: reference.slice(0, colon), tag: reference.slice(colon + 1) };
  return { repository: reference, tag: void 0 };
}
function registryHost(repository) {
  const first = repository.split("/")[0] ?? "";
  if (repository.includes("/") && (first.includes(".") || first.includes(":") || first === "localhost")) return first;
  return "https://index.docker.io/v1/";
}
function pushTag(commit, runId) {
  return commit && /^[0-9a-f]{7,64}$/i.test(commit) ? commit.toLowerCase() : `deploy-check-${runId}`;
}
async function pushCheckedImage(options) {
  const { repository, tag } = splitReference(options.pushImage);
  const tagged = `${repository}:${tag ?? options.tag}`;
  const started = Date.now();
  const dockerConfig = options.credentials ? await privateDockerConfig(registryHost(repository), options.credentials) : void 0;
  const env = {};
  for (const [k, v] of Object.entries(process.env)) if (v !== void 0) env[k] = v;
  if (dockerConfig) env["DOCKER_CONFIG"] = dockerConfig;
  const extraName = tagged !== options.localImage;
  try {
    if (extraName) {
      const tagRun = await docker(["image", "tag", options.localImage, tagged], env);
      if (tagRun.code !== 0) throw new PushError(`could not tag ${options.localImage} as ${tagged}: ${lastLine(tagRun.output)}`, tagRun.output);
    }
    try {
      options.log.info(`Pushing ${tagged}`);
      const push = await docker(["image", "push", tagged], env);
      if (push.code !== 0) {
        throw new PushError(`docker push ${tagged} failed: ${lastLine(push.output)}${hint(push.output, Boolean(options.credentials))}`, push.output);
      }
      let digest = push.output.map((l) => DIGEST.exec(l)?.[1]).find((d) => d !== void 0);
      if (digest === void 0) {
        const inspect = await docker(["buildx", "imagetools", "inspect", tagged, "--format", "{{json .Manifest}}"], env);
        const match = /"digest"\s*:\s*"(sha256:[a-f0-9]{64})"/.exec(inspect.output.join("\n"));
        digest = match?.[1];
      }
      if (digest === void 0) throw new PushError(`pushed ${tagged} but could not learn its digest from docker push or the registry`, push.output);
      return { tagged, digest, pinned: `${repository}@${digest}`, durationMs: Date.now() - started };
    } finally {
      if (extraName) await docker(["image", "rm", tagged], env).catch(() => void 0);
    }
  } finally {
    if (dockerConfig) await rm5(dockerConfig, { recursive: true, force: true });
  }
}
async function docker(args, env) {
  let text2 = "";
  const code = await exec("docker", args, {
    silent: true,
    ignoreReturnCode: true,
    env,
    listeners: {
      stdout: (d) => text2 += d.toString(),
      stderr: (d) => text2 += d.toString()
    }
  });
  return {
    code,
    output: text2.split(/\r?\n/).map((l) => l.trimEnd()).filter(Boolean)
  };
}
async function privateDockerConfig(host, credentials) {
  const dir = await mkdtemp5(path20.join(os4.tmpdir(), "deploy-check-docker-config-"));
  await chmod(dir, 448);
  const own2 = process.env["DOCKER_CONFIG"] || path20.join(os4.homedir(), ".docker");
  let currentContext;
  try {
    const parsed2 = JSON.parse(await readFile8(path20.join(own2, "config.json"), "utf8"));
    if (typeof parsed2.currentContext === "string") currentContext = parsed2.currentContext;
  } catch {
  }
  for (const sub of ["contexts", "cli-plugins"]) {
    if (existsSync6(path20.join(own2, sub))) await symlink(path20.join(own2, sub), path20.join(dir, sub));
  }
  const auth = Buffer.from(`${credentials.username}:${credentials.password}`).toString("base64");
  await writeFile3(path20.join(dir, "config.json"), JSON.stringify({ auths: { [host]: { auth } }, ...currentContext ? { currentContext } : {} }), {
    mode: 384
  });
  return dir;
}
function lastLine(output) {
  return output.at(-1) ?? "no output";
}
function hint(output, withCredentials) {
  const text2 = output.join("\n");
  if (/unauthorized|authentication required|denied|401|403/i.test(text2)) {
    return withCredentials ? " (the registry refused registry-username/registry-password: check them and that they may push to this repository)" : " (the registry wants credentials: set registry-username and registry-password, or log in before this step)";
  }
  return "";
}

// src/deploy/railway/deploy.ts
function announceRailwaySettings(config, log) {
  const lookup = config.railwayService;
  if (!lookup) return;
  if (!lookup.ok) {
    log.warning(
      `Could not read the Railway service's settings; the health check follows the inputs and ${config.railwayFile ? "the railway file" : "its defaults"}. ${lookup.error}`
    );
    return;
  }
  const t = lookup.target;
  const h = config.health;
  log.info(
    `Railway service ${t.serviceName ?? t.serviceId} (${t.environmentName ?? t.environmentId}): health check path ${h.path ?? "none"} (from ${h.pathSource ?? "default"}), timeout ${formatDuration(h.timeoutMs)} (from ${h.timeoutSource})`
  );
  for (const drift of findConfigDrift(lookup.settings, config.railwayFile)) {
    const follows = config.railwayFile?.label === ".railway/railway.ts" ? "deploy-check follows .railway/railway.ts, which `railway config apply` makes the service's settings" : "Railway follows the service's settings, and so does deploy-check";
    log.warning(`${describeDrift(drift)}; ${follows}`, config.railwayFile ? { file: config.railwayFile.file, title: "Railway settings differ" } : void 0);
  }
}
async function deployStage(config, report, deps) {
  const settings = config.deploy;
  const access = settings.railway;
  const { log } = deps;
  if (!access) {
    log.debug("No railway-token: deploying is not configured");
    return null;
  }
  const started = Date.now();
  const lookup = config.railwayService;
  const out = skippedReport(config, deps);
  const client = deps.client ?? new RailwayClient({
    endpoint: railwayEndpoint(),
    token: access.token,
    tokenType: access.tokenType,
    tokenTypeGuessed: access.tokenTypeGuessed,
    onRetry: (m) => log.info(m)
  });
  const done = () => {
    out.durationMs = Date.now() - started;
    out.apiRequests = (lookup?.requests ?? 0) + client.sent.length;
    return out;
  };
  const checksFailed = report.verdict === "fail" ? report.reasons[0] ?? "a check failed" : null;
  const run2 = {
    config,
    image: report.image.id ?? config.image,
    deps,
    client,
    out,
    log,
    resolve: async () => lookup?.ok ? lookup.target : await resolveTarget(client, access)
  };
  try {
    if (settings.preview && settings.mode !== "never" && deps.event?.name.startsWith("pull_request")) {
      await previewStage(run2, checksFailed);
      return done();
    }
    const gate = decideGate(settings.mode, deps.event, checksFailed);
    if (!gate.deploy) {
      out.reason = gate.reason;
      log.info(`Deploy skipped: ${gate.reason}`);
      return done();
    }
    log.info(`Deploying to Railway: ${gate.why}`);
    await deployRun(run2);
  } catch (err) {
    if (err instanceof PushError) out.logs = { build: [], deploy: [], push: err.output.slice(-LOG_LINES) };
    failDeploy(out, "error", `${err instanceof PushError ? "Pushing the image failed: " : ""}${err.message}`, log);
  }
  return done();
}
function skippedReport(config, deps) {
  const settings = config.deploy;
  const lookup = config.railwayService;
  return {
    status: "skipped",
    deploymentId: null,
    url: null,
    reason: null,
    source: settings.source,
    image: null,
    commit: deps.commit,
    railwayStatus: null,
    durationMs: 0,
    logs: null,
    onApproval: settings.onApproval,
    target: lookup?.ok ? { ...lookup.target } : null,
    configDrift: lookup?.ok ? findConfigDrift(lookup.settings, config.railwayFile) : [],
    smoke: null,
    apiRequests: lookup?.requests ?? 0,
    trigger: null,
    dashboardUrl: null,
    rollback: null,
    cancelled: false,
    preview: null
  };
}
function describeTarget(target) {
  return `${target.serviceName ?? target.serviceId} in ${target.projectName ?? target.projectId}/${target.environmentName ?? target.environmentId}`;
}
async function deployRun(run2) {
  const { config, deps, client, out, log } = run2;
  const settings = config.deploy;
  const target = await run2.resolve();
  out.target = { ...target };
  if (settings.source === "commit" && settings.trigger === "auto" && deps.commit && mayHaveTrigger(config)) {
    const trigger = await lookupTrigger(run2, target);
    if (trigger) {
      out.trigger = { repository: trigger.repository, branch: trigger.branch, checkSuites: trigger.checkSuites };
      await delegate(run2, target, deps.commit, trigger.checkSuites);
      return;
    }
  }
  const previous = await readPrevious(run2, target, null);
  const deploymentId = await startDeployment(run2, target, deps.commit);
  out.dashboardUrl = dashboardUrl(target, deploymentId);
  await followDeployment({ client, settings, target, deploymentId, own: true, previous, log }, out);
}
function mayHaveTrigger(config) {
  const lookup = config.railwayService;
  return !lookup?.ok || lookup.settings.sourceRepo !== void 0;
}
async function lookupTrigger(run2, target) {
  try {
    return await findTrigger(run2.client, target, run2.deps.event);
  } catch (err) {
    if (!(err instanceof RailwayApiError) || err.kind !== "graphql") throw err;
    run2.log.warning(
      `Could not read the service's deployment triggers (${err.detail}); deploying through the API. If Railway also deploys this push by itself, set deploy-trigger: api and switch the trigger off`
    );
    return null;
  }
}
async function readPrevious(run2, target, except) {
  if (!run2.config.deploy.smoke) return null;
  const previous = await previousLive(run2.client, target, except);
  if ("found" in previous) run2.log.info(`Live before this deployment: ${describeLive(previous.found)}`);
  return previous;
}
async function delegate(run2, target, commit, checkSuites) {
  const { config, client, out, log } = run2;
  const settings = config.deploy;
  const branch = out.trigger?.branch ?? "";
  const repository = out.trigger?.repository ?? "";
  const short = commit.slice(0, 7);
  if (checkSuites) {
    const railways2 = await commitDeployment(client, target, commit);
    out.status = "delegated";
    out.deploymentId = railways2?.id ?? null;
    out.railwayStatus = railways2?.status ?? null;
    out.dashboardUrl = dashboardUrl(target, railways2?.id ?? null);
    out.reason = `Railway deploys commit ${short} by itself once this workflow's checks pass ("Wait for CI" on the service's ${branch} trigger for ${repository})${railways2 ? `: its deployment ${railways2.id} is ${railways2.status}` : ""}; deploy-check started no deployment, and a failure of deploy-check would have stopped Railway's`;
    log.info(`${out.reason}: ${out.dashboardUrl}`);
    return;
  }
  log.info(
    `The service's deployment trigger deploys pushes to ${branch} of ${repository}: following Railway's own deployment of ${short} instead of starting one`
  );
  const railways = await awaitCommitDeployment(client, target, commit, settings.timeoutMs);
  if (!railways) {
    failDeploy(
      out,
      "timeout",
      `the service's deployment trigger for ${branch} of ${repository} created no deployment of commit ${short} within ${Math.round(settings.timeoutMs / 1e3)} s (deploy-timeout); is the trigger's repository the one this workflow runs in? deploy-trigger: api deploys through the API instead`,
      log
    );
    return;
  }
  out.dashboardUrl = dashboardUrl(target, railways.id);
  const previous = await readPrevious(run2, target, railways.id);
  await followDeployment({ client, settings, target, deploymentId: railways.id, own: false, previous, log }, out);
}
async function startDeployment(run2, target, commit) {
  const { config, client, out, log } = run2;
  const settings = config.deploy;
  const lookup = config.railwayService;
  const where = describeTarget(target);
  if (settings.source === "commit") {
    if (!commit) {
      throw new Error(
        'deploy-source is "commit" but the commit of this run is unknown (a local run outside a git checkout?); use deploy-source: image, or run in GitHub Actions'
      );
    }
    const id2 = (await client.request(DEPLOY, { serviceId: target.serviceId, environmentId: target.environmentId, commitSha: commit })).serviceInstanceDeployV2;
    log.info(`Railway deployment ${id2} of commit ${commit.slice(0, 12)} to ${where}`);
    return id2;
  }
  const pushed = await pushCheckedImage({
    localImage: run2.image,
    pushImage: settings.pushImage ?? "",
    tag: pushTag(commit, config.runId),
    credentials: config.registry,
    log
  });
  out.image = pushed.pinned;
  log.info(`Pushed ${pushed.tagged} (${pushed.digest}) in ${formatDuration(pushed.durationMs)}`);
  if (config.registry?.password.startsWith("ghs_")) {
    log.warning(
      "registry-password is the job's GITHUB_TOKEN: it expires when the job ends, so Railway could not pull this private image again later (restart, scale); hand Railway a token that lasts (a read:packages PAT) or make the package public"
    );
  }
  if (lookup?.ok && lookup.settings.sourceRepo && !lookup.settings.sourceImage) {
    log.warning(
      `The Railway service was built from the repository ${lookup.settings.sourceRepo}; deploy-source: image switches it to the pushed image, so pushes to that repository no longer deploy it by themselves`
    );
  }
  await client.request(SET_IMAGE_SOURCE, {
    serviceId: target.serviceId,
    environmentId: target.environmentId,
    input: {
      source: { image: pushed.pinned },
      ...config.registry ? { registryCredentials: { username: config.registry.username, password: config.registry.password } } : {}
    }
  });
  const id = (await client.request(DEPLOY, { serviceId: target.serviceId, environmentId: target.environmentId })).serviceInstanceDeployV2;
  log.info(`Railway deployment ${id} of ${pushed.pinned} to ${where}`);
  return id;
}
async function previewStage(run2, checksFailed) {
  const { config, deps, client, out, log } = run2;
  const action = previewAction(deps.event);
  const skip = (number, reason) => {
    out.reason = reason;
    out.preview = { action: "skipped", pullRequest: number, environmentName: previewName(number), environmentId: null, created: false, url: null, reason };
    log.info(`Preview skipped: ${reason}`);
  };
  if (action.kind === "none") {
    if (action.number === null) {
      out.reason = action.reason;
      log.info(`Deploy skipped: ${action.reason}`);
    } else {
      skip(action.number, action.reason);
    }
    return;
  }
  const name = previewName(action.number);
  const target = await run2.resolve();
  if (action.kind === "delete") {
    const deleted = await deletePreview(client, target.projectId, action.number);
    const reason = deleted > 0 ? `the pull request was closed: preview environment ${name} deleted` : `the pull request was closed: preview environment ${name} was already gone`;
    out.reason = reason;
    out.preview = {
      action: deleted > 0 ? "deleted" : "already-gone",
      pullRequest: action.number,
      environmentName: name,
      environmentId: null,
      created: false,
      url: null,
      reason
    };
    log.info(reason);
    return;
  }
  out.commit = config.deploy.source === "commit" ? action.headSha : deps.commit;
  if (checksFailed !== null) {
    skip(action.number, `a check failed (${checksFailed}); only a pull request that passed every check is deployed to ${name}`);
    return;
  }
  const environment = await findOrCreatePreview(client, target, action.number);
  log.info(
    `Preview environment ${name} (${environment.id}) ${environment.created ? `created from ${target.environmentName ?? target.environmentId}` : "exists"}`
  );
  const preview = { ...target, environmentId: environment.id, environmentName: name };
  out.target = { ...preview };
  out.preview = {
    action: "deployed",
    pullRequest: action.number,
    environmentName: name,
    environmentId: environment.id,
    created: environment.created,
    url: null,
    reason: null
  };
  const domain = await ensurePreviewDomain(client, target, preview);
  if (domain === null)
    log.warning(
      `Preview environment ${name} has no public domain, and ${target.environmentName ?? target.environmentId} has none to follow: give the service a domain in Railway to get a preview URL`
    );
  const previous = await readPrevious(run2, preview, null);
  const deploymentId = await startDeployment(run2, preview, out.commit);
  out.dashboardUrl = dashboardUrl(preview, deploymentId);
  await followDeployment({ client, settings: config.deploy, target: preview, deploymentId, own: true, previous, log }, out);
  out.preview.url = out.url;
  if (out.status !== "success" && out.status !== "triggered") out.preview.reason = out.reason;
}

// src/container/exec-form.ts
import path21 from "node:path";
var SHELLS = /* @__PURE__ */ new Set(["sh", "bash", "dash", "ash", "zsh", "ksh", "mksh"]);
var VARIABLE = /\$\{[A-Za-z_][A-Za-z0-9_]*[^}]*\}|\$[A-Za-z_][A-Za-z0-9_]*/g;
var HAS_VARIABLE = new RegExp(VARIABLE.source);
function unexpandedVariables(argv) {
  let first = 0;
  if (path21.posix.basename(argv[0] ?? "") === "env") {
    first = 1;
    while (first < argv.length && /^(-|[A-Za-z_][A-Za-z0-9_]*=)/.test(argv[first] ?? "")) first++;
  }
  const program = path21.posix.basename(argv[first] ?? "");
  if (SHELLS.has(program) && argv.slice(first + 1).some((word) => /^-[a-z]*c[a-z]*$/.test(word))) return [];
  const found = /* @__PURE__ */ new Set();
  for (const word of argv) for (const m of word.matchAll(VARIABLE)) found.add(m[0]);
  return [...found];
}
function shellWrapHint(argv, what) {
  const variables = unexpandedVariables(argv);
  if (variables.length === 0) return void 0;
  const names = variables.join(", ");
  return `the ${what} runs without a shell (exec form, as on Railway), so ${names} ${variables.length === 1 ? "reaches" : "reach"} it as written, not expanded: wrap it in a shell, /bin/sh -c "exec ${shellScript(argv) ?? "\u2026"}"`;
}
function shellScript(argv) {
  const words = [];
  for (const word of argv) {
    if (/^[A-Za-z0-9_@%+=:,./${}-]+$/.test(word)) words.push(word);
    else if (!HAS_VARIABLE.test(word)) words.push(`'${word.replace(/'/g, `'\\''`)}'`);
    else return void 0;
  }
  return words.join(" ").replace(/["\\`]/g, "\\$&");
}

// src/container/logs.ts
import { StringDecoder as StringDecoder2 } from "node:string_decoder";
function demuxDockerStream(buffer) {
  const parts = [];
  let offset = 0;
  while (offset + 8 <= buffer.length) {
    const kind = buffer[offset];
    const length = buffer.readUInt32BE(offset + 4);
    if (kind === void 0 || kind > 2 || buffer[offset + 1] !== 0 || buffer[offset + 2] !== 0 || buffer[offset + 3] !== 0) {
      return buffer.toString("utf8");
    }
    parts.push(buffer.subarray(offset + 8, offset + 8 + length));
    offset += 8 + length;
  }
  return Buffer.concat(parts).toString("utf8");
}
async function lastLogLines(container, tail = 100) {
  try {
    const raw = await container.logs({ stdout: true, stderr: true, tail, follow: false });
    const text2 = demuxDockerStream(Buffer.isBuffer(raw) ? raw : Buffer.from(String(raw)));
    const lines = text2.split(/\r?\n/);
    if (lines.at(-1) === "") lines.pop();
    return lines.slice(-tail);
  } catch {
    return [];
  }
}
var LOG_HEAD_LINES = 40;
var LOG_TAIL_LINES = 60;
var LOG_LINE_MAX_CHARS = 2e3;
async function keptLogLines(container) {
  const keeper = new LogKeeper();
  try {
    const stream = await openLogStream(container);
    await new Promise((resolve) => {
      const demux = new DockerStreamDemuxer((text2) => keeper.write(text2));
      stream.on("data", (chunk) => {
        failForTest();
        demux.write(chunk);
      });
      stream.on("end", resolve);
      stream.on("close", resolve);
      stream.on("error", () => resolve());
    });
  } catch {
  }
  return keeper.end();
}
function openLogStream(container) {
  const modem = container.modem;
  return new Promise((resolve, reject) => {
    modem.dial(
      {
        path: `/containers/${container.id}/logs?`,
        method: "GET",
        isStream: true,
        statusCodes: { 200: true, 404: "no such container", 500: "server error" },
        options: { stdout: true, stderr: true, follow: false }
      },
      (err, data) => err ? reject(err) : resolve(data)
    );
  });
}
function failForTest() {
  if (process.env["DEPLOY_CHECK_TEST_THROW_IN_LOG_STREAM"] === "1")
    throw new Error("test-only failure in the container log stream (DEPLOY_CHECK_TEST_THROW_IN_LOG_STREAM)");
}
var DockerStreamDemuxer = class {
  out;
  decoder = new StringDecoder2("utf8");
  header = Buffer.alloc(0);
  remaining = 0;
  plain;
  constructor(out) {
    this.out = out;
  }
  write(chunk) {
    let offset = 0;
    while (offset < chunk.length) {
      if (this.plain) {
        this.emit(chunk.subarray(offset));
        return;
      }
      if (this.remaining > 0) {
        const take = Math.min(this.remaining, chunk.length - offset);
        this.emit(chunk.subarray(offset, offset + take));
        this.remaining -= take;
        offset += take;
        continue;
      }
      const need = 8 - this.header.length;
      this.header = Buffer.concat([this.header, chunk.subarray(offset, offset + need)]);
      offset += need;
      if (this.header.length < 8) return;
      const h = this.header;
      this.header = Buffer.alloc(0);
      if (this.plain === void 0 && ((h[0] ?? 3) > 2 || h[1] !== 0 || h[2] !== 0 || h[3] !== 0)) {
        this.plain = true;
        this.emit(h);
        continue;
      }
      this.plain = false;
      this.remaining = h.readUInt32BE(4);
    }
  }
  emit(bytes) {
    const text2 = this.decoder.write(bytes);
    if (text2) this.out(text2);
  }
};
var LogKeeper = class {
  head = [];
  tail = [];
  run;
  omitted = 0;
  lines = 0;
  partial = "";
  partialCut = false;
  headLines;
  tailLines;
  constructor(head = LOG_HEAD_LINES, tail = LOG_TAIL_LINES) {
    this.headLines = head;
    this.tailLines = tail;
  }
  write(text2) {
    let start = 0;
    for (let nl = text2.indexOf("\n"); nl !== -1; nl = text2.indexOf("\n", start)) {
      this.append(text2.slice(start, nl));
      this.line(this.partial.replace(/\r$/, ""));
      this.partial = "";
      this.partialCut = false;
      start = nl + 1;
    }
    this.append(text2.slice(start));
  }
  end() {
    if (this.partial !== "" || this.partialCut) this.line(this.partial);
    this.partial = "";
    this.flush();
    this.dropTail();
    const fold = (r) => r.count > 1 ? `${r.text}  (\xD7 ${r.count})` : r.text;
    const lines = this.omitted === 0 ? [...this.head, ...this.tail].map(fold) : [...this.head.map(fold), `\u2026 ${this.omitted} line${this.omitted === 1 ? "" : "s"} omitted \u2026`, ...this.tail.map(fold)];
    const last = [...this.head, ...this.tail].filter((r) => r.text.trim() !== "").map((r) => r.text).slice(-this.tailLines);
    return { lines, count: this.lines, last };
  }
  /** A line's start; past LOG_LINE_MAX_CHARS the rest of it is dropped. */
  append(piece) {
    if (this.partialCut || piece === "") return;
    const room = LOG_LINE_MAX_CHARS - this.partial.length;
    if (piece.length <= room) {
      this.partial += piece;
      return;
    }
    this.partial += `${piece.slice(0, room)} \u2026 (line cut at ${LOG_LINE_MAX_CHARS} characters)`;
    this.partialCut = true;
  }
  line(text2) {
    this.lines++;
    if (this.run && this.run.text === text2) {
      this.run.count++;
      return;
    }
    this.flush();
    this.run = { text: text2, count: 1 };
  }
  flush() {
    const run2 = this.run;
    if (!run2) return;
    this.run = void 0;
    if (this.head.length < this.headLines) {
      this.head.push(run2);
      return;
    }
    this.tail.push(run2);
    if (this.tail.length >= this.tailLines * 2) this.dropTail();
  }
  dropTail() {
    const extra = this.tail.length - this.tailLines;
    if (extra <= 0) return;
    for (const r of this.tail.slice(0, extra)) this.omitted += r.count;
    this.tail = this.tail.slice(extra);
  }
};

// src/container/spec.ts
function runParams(config, image, extras = {}) {
  const port = config.parity.injectedPort;
  const railway = config.railwayIac?.variables.env ?? [];
  const env = mergeEnv([...railway, ...config.env, ...port !== void 0 ? [{ key: "PORT", value: String(port) }] : [], ...extras.extraEnv ?? []]);
  return {
    image,
    runId: config.runId,
    env,
    network: extras.network ?? config.network,
    networkAliases: [...extras.networkAliases ?? []],
    addHosts: config.addHosts,
    volumes: (config.railwayIac?.service.volumes ?? []).map((v) => v.mountPath)
  };
}
function mergeEnv(entries) {
  const byKey = /* @__PURE__ */ new Map();
  for (const { key, value } of entries) {
    byKey.delete(key);
    byKey.set(key, value);
  }
  return [...byKey].map(([key, value]) => ({ key, value }));
}
function containerOptions(params, role) {
  const hostMode = params.network === "host";
  const portKey = role.publishPort !== void 0 ? `${role.publishPort}/tcp` : void 0;
  const aliases = params.network && !hostMode && params.networkAliases.length ? params.networkAliases : void 0;
  return {
    name: role.name,
    Image: params.image,
    Labels: runLabels(params.runId),
    Env: params.env.map((e) => `${e.key}=${e.value}`),
    ...commandOptions(role),
    ...portKey ? { ExposedPorts: { [portKey]: {} } } : {},
    ...role.healthcheck ? { Healthcheck: role.healthcheck } : {},
    HostConfig: {
      ...portKey && !hostMode ? { PortBindings: { [portKey]: [{ HostIp: "127.0.0.1", HostPort: "" }] } } : {},
      ...params.network ? { NetworkMode: params.network } : {},
      ...params.addHosts.length ? { ExtraHosts: [...params.addHosts] } : {},
      ...role.mountsVolumes && params.volumes.length ? { Mounts: params.volumes.map((target) => volumeMount(target, params.runId)) } : {}
    },
    ...aliases && params.network ? { NetworkingConfig: { EndpointsConfig: { [params.network]: { Aliases: [...aliases] } } } } : {}
  };
}
function commandOptions(role) {
  const [program, ...args] = role.cmd ?? [];
  if (program === void 0) return {};
  return role.replacesEntrypoint ? { Entrypoint: [program], Cmd: args } : { Cmd: [program, ...args] };
}
function volumeMount(target, runId) {
  return {
    Type: "volume",
    Source: "",
    Target: target,
    VolumeOptions: { NoCopy: true, Labels: runLabels(runId), DriverConfig: { Name: "local", Options: {} } }
  };
}

// src/container/pre-deploy.ts
var LAST_LINES_QUOTED = 3;
async function preDeployStage(preDeploy, docker2, log, params, removals, cancel) {
  const started = Date.now();
  const report = { status: "passed", source: preDeploy.source, reason: null, durationMs: 0, commands: [] };
  for (const [index, command] of preDeploy.commands.entries()) {
    if (cancel?.aborted) {
      report.status = "cancelled";
      report.reason = `cancelled (${String(cancel.reason)}) before "${command}" ran`;
      break;
    }
    log.info(`$ ${command}`);
    const argv = splitCommandWords("preDeployCommand", command);
    const hint2 = shellWrapHint(argv, "pre-deploy command");
    if (hint2) log.warning(`${hint2.charAt(0).toUpperCase()}${hint2.slice(1)}`);
    const name = `${containerName(params.runId)}-predeploy-${index + 1}`;
    const result = await runOne({ command, argv, name, timeoutMs: preDeploy.timeoutMs }, docker2, params, removals, cancel);
    report.commands.push(result.report);
    for (const line of result.report.logs) log.info(`  | ${line}`);
    log.info(`  ${describeResult(result.report)}`);
    if (result.cancelled) {
      report.status = "cancelled";
      report.reason = `cancelled (${String(cancel?.reason)}) while "${command}" ran`;
      break;
    }
    if (result.report.stillRunningAfterMs) {
      report.status = "failed";
      report.reason = stillRunningSentence(result.report, result.lastLines);
      break;
    }
    if (result.report.exitCode !== 0) {
      report.status = "failed";
      report.reason = `the pre-deploy command "${command}" ${describeResult(result.report)}; Railway would not start the deployment${hint2 ? `; ${hint2}` : ""}`;
      break;
    }
  }
  report.durationMs = Date.now() - started;
  return report;
}
function describeResult(r) {
  if (r.stillRunningAfterMs) return `was still running after ${formatSeconds3(r.stillRunningAfterMs)} (the health timeout); stopped`;
  if (r.error !== null) return `never started: ${r.error}`;
  return `exited with code ${r.exitCode ?? "?"} after ${formatSeconds3(r.durationMs)}`;
}
function stillRunningSentence(r, lastLines2) {
  const printed = lastLines2.length ? `its last output: ${lastLines2.map((l) => JSON.stringify(l)).join(", ")}` : "it printed nothing";
  return `the pre-deploy command "${r.command}" was still running after ${formatSeconds3(r.stillRunningAfterMs ?? 0)} (the health timeout) and was stopped (Railway starts the deployment only once it exits); ${printed}`;
}
function formatSeconds3(ms) {
  return `${(ms / 1e3).toFixed(1)}s`;
}
async function runOne(one, docker2, params, removals, cancel) {
  const report = { command: one.command, exitCode: null, durationMs: 0, logs: [], error: null };
  const started = Date.now();
  let container;
  let cancelled = false;
  let stillRunning = false;
  let last = [];
  try {
    container = await docker2.createContainer(containerOptions(params, { name: one.name, cmd: one.argv, replacesEntrypoint: true }));
    await container.start();
    const outcome = await waitForExit(container, one.timeoutMs, cancel);
    report.durationMs = Date.now() - started;
    if (outcome === "cancelled") cancelled = true;
    else if (outcome === "timeout") {
      stillRunning = true;
      report.stillRunningAfterMs = one.timeoutMs;
    } else {
      report.exitCode = outcome.exitCode;
    }
    const kept = await keptLogLines(container);
    report.logs = kept.lines;
    last = kept.last;
  } catch (err) {
    report.durationMs = Date.now() - started;
    report.error = dockerReason(err);
  } finally {
    if (container && stillRunning) removals.remove(container);
    else if (container) removals.removeLater(container);
  }
  return { report, cancelled, lastLines: last.slice(-LAST_LINES_QUOTED) };
}
async function waitForExit(container, timeoutMs, cancel) {
  let timer;
  let onAbort;
  try {
    return await Promise.race([
      container.wait({ condition: "not-running" }).then((r) => ({ exitCode: r.StatusCode })),
      new Promise((resolve) => timer = setTimeout(() => resolve("timeout"), timeoutMs)),
      new Promise((resolve) => {
        if (!cancel) return;
        if (cancel.aborted) resolve("cancelled");
        onAbort = () => resolve("cancelled");
        cancel.addEventListener("abort", onAbort, { once: true });
      })
    ]);
  } finally {
    clearTimeout(timer);
    if (onAbort) cancel?.removeEventListener("abort", onAbort);
  }
}
function dockerReason(err) {
  const e = err;
  const message = typeof e.json?.message === "string" ? e.json.message : String(e.message ?? err);
  return message.replace(/^\(HTTP code \d+\)\s*[^-]*-\s*/, "").trim();
}

// src/container/wait.ts
var import_node_http = __toESM(require_http(), 1);
import net from "node:net";
var BODY_EVIDENCE_CHARS = 500;
var ANSWER_BODY_CHARS = 200;
var MAX_ANSWERS = 20;
var UNCHANGED_GRACE_MS = 1e3;
var MAX_UNCHANGED_PAUSE_MS = 5e3;
var HOPELESS_AFTER_MS = 1e4;
var MAX_RATE_LIMIT_PAUSE_MS = 16e3;
var MAX_RETRY_AFTER_MS = 36e5;
var HttpWait = class {
  name = "http";
  target;
  evidence = { status: null, body: null, error: null, location: null, host: null };
  url;
  status;
  body;
  options;
  origin;
  tallies = [];
  /** The answer that has not changed (status and Location, or what was wrong), and since when. */
  unchanged;
  limitedInARow = 0;
  pause = 0;
  /** The last answer was a redirect or a 404 that the accepted statuses do not take. */
  lastHopeless = false;
  constructor(url, status, body, options = {}) {
    this.url = url;
    this.status = status;
    this.body = body;
    this.options = options;
    this.origin = options.startedAt ?? Date.now();
    this.evidence.host = options.host ?? null;
    this.target = `GET ${url}`;
  }
  async probe(budgetMs) {
    const answer = await httpGet(this.url, Math.max(50, Math.min(budgetMs, 5e3)), this.options.host);
    const now = Date.now();
    if ("error" in answer) {
      this.evidence.error = answer.malformed ? `answered, but ${answer.error}` : answer.error;
      this.record(now, answer.malformed ? malformedAnswer(answer.error) : unansweredAnswer(answer.error, this.options.containerPort));
      this.pace(now, answer.malformed ? `malformed ${answer.error}` : void 0);
      return false;
    }
    this.evidence.status = answer.status;
    this.evidence.body = answer.body.slice(0, BODY_EVIDENCE_CHARS);
    this.evidence.location = answer.location;
    this.evidence.error = null;
    const retryAfterMs = answer.status === 429 ? parseRetryAfter2(answer.retryAfter, now, answer.date) : null;
    this.record(now, httpAnswer(answer, retryAfterMs));
    this.pace(now, `${answer.status} ${answer.location ?? ""}`, answer.status === 429 ? retryAfterMs : void 0);
    const passes = statusMatches(this.status, answer.status) && (this.body === void 0 || this.body.test(answer.body));
    this.lastHopeless = !statusMatches(this.status, answer.status) && isSettledAnswer(answer.status);
    return passes;
  }
  hopeless() {
    if (!this.lastHopeless || this.unchanged === void 0) return null;
    const sameForMs = Date.now() - this.unchanged.since;
    if (sameForMs < HOPELESS_AFTER_MS) return null;
    const railway = this.options.railwayStatus ? "; Railway would fail the deploy the same way at the end of its healthcheckTimeout" : "";
    return `${this.lastFailure()}; the same answer for ${Math.round(sameForMs / 1e3)}s, which waiting will not change, so the wait ended early${railway}`;
  }
  pauseMs() {
    return this.pause;
  }
  /** The distinct answers so far, in the order first seen. */
  answers() {
    return this.tallies.map((t) => ({ ...t.answer }));
  }
  lastFailure() {
    const decisive = this.tallies.find((t) => !t.answer.transient) ?? this.tallies.at(-1);
    if (!decisive) return `${this.target} got no HTTP answer: no attempt was made`;
    return `${this.describe(decisive.answer)}${this.summary()}`;
  }
  close() {
  }
  describe(a) {
    if (a.status === null) return a.transient ? `${this.target} got no HTTP answer: ${a.error ?? ""}` : `${this.target} answered, but ${a.error ?? ""}`;
    if (!statusMatches(this.status, a.status)) {
      const redirect = a.status >= 300 && a.status < 400 ? ` (a redirect to ${a.location ?? "no Location given"})` : "";
      const rule = this.options.railwayStatus ? ": Railway accepts only 200" : `, expected ${formatStatusRanges(this.status)}`;
      return `${this.target}${this.options.host ? ` (Host: ${this.options.host})` : ""} answered ${a.status}${redirect}${rule}`;
    }
    return `${this.target} answered ${a.status} but the body did not match /${this.body?.source ?? ""}/`;
  }
  /** "; answers in order first seen: no answer yet × 4, 307 × 3, 429 (rate limited) × 2" when there was more than one kind. */
  summary() {
    const groups = /* @__PURE__ */ new Map();
    for (const t of this.tallies) groups.set(t.label, (groups.get(t.label) ?? 0) + t.answer.count);
    if (groups.size < 2) return "";
    const shown2 = [...groups].slice(0, 6).map(([label, count]) => `${label} \xD7 ${count}`);
    return `; answers in order first seen: ${shown2.join(", ")}${groups.size > 6 ? ", \u2026" : ""}`;
  }
  record(now, seen) {
    const { label, ...answer } = seen;
    const key = JSON.stringify([answer.status, answer.location, answer.body, answer.error]);
    const same = (t) => t.key === key;
    const sameStatus = (t) => t.answer.status === answer.status && (answer.status !== null || t.answer.error === answer.error);
    const tally = this.tallies.find(same) ?? (this.tallies.length >= MAX_ANSWERS ? this.tallies.findLast(sameStatus) : void 0);
    const ms = Math.max(0, now - this.origin);
    const at = new Date(now).toISOString();
    if (!tally) {
      this.tallies.push({ key, label, answer: { ...answer, count: 1, firstMs: ms, lastMs: ms, firstAt: at, lastAt: at } });
      return;
    }
    tally.answer.count++;
    tally.answer.lastMs = ms;
    tally.answer.lastAt = at;
    if (answer.retryAfterMs !== void 0) tally.answer.retryAfterMs = answer.retryAfterMs;
  }
  /**
   * The pause the last answer asks for. An answer that has not changed for a second is asked
   * for less and less often (a quarter of the time it has stayed the same, at most 5 s): each
   * probe is a request in the app's log and a token of its rate limiter. A 429 is honoured: its
   * Retry-After, else a pause that doubles while the 429s go on. No answer (nothing listens
   * yet) reaches the app: the loop's own fast pace stays.
   */
  pace(now, shape, retryAfterMs) {
    if (shape === void 0) {
      this.unchanged = void 0;
      this.limitedInARow = 0;
      this.pause = 0;
      return;
    }
    if (this.unchanged?.shape !== shape) this.unchanged = { shape, since: now };
    this.pause = unchangedAnswerPauseMs(now - this.unchanged.since);
    if (retryAfterMs === void 0) {
      this.limitedInARow = 0;
      return;
    }
    this.limitedInARow++;
    this.pause = Math.max(this.pause, retryAfterMs ?? rateLimitPauseMs(this.limitedInARow));
  }
};
function isSettledAnswer(status) {
  return status >= 300 && status < 400 || status === 404;
}
function unchangedAnswerPauseMs(sameForMs) {
  if (sameForMs < UNCHANGED_GRACE_MS) return 0;
  return Math.min(MAX_UNCHANGED_PAUSE_MS, Math.floor(sameForMs / 4));
}
function rateLimitPauseMs(inARow) {
  return Math.min(MAX_RATE_LIMIT_PAUSE_MS, 1e3 * 2 ** Math.max(0, inARow - 1));
}
function parseRetryAfter2(value, now, date) {
  const text2 = value?.trim() ?? "";
  if (/^\d+$/.test(text2)) return Math.min(Number(text2) * 1e3, MAX_RETRY_AFTER_MS);
  if (!/^[A-Za-z]{3,9},? [\dA-Za-z]/.test(text2)) return null;
  const at = Date.parse(text2);
  if (Number.isNaN(at)) return null;
  const sent = date ? Date.parse(date) : NaN;
  return Math.min(Math.max(0, at - (Number.isNaN(sent) ? now : sent)), MAX_RETRY_AFTER_MS);
}
function httpAnswer(answer, retryAfterMs) {
  const limited = answer.status === 429;
  return {
    status: answer.status,
    location: answer.location,
    body: answer.body.slice(0, ANSWER_BODY_CHARS),
    error: null,
    transient: limited || answer.status === 503,
    ...limited ? { retryAfterMs } : {},
    label: limited ? "429 (rate limited)" : String(answer.status)
  };
}
function malformedAnswer(error2) {
  return { status: null, location: null, body: null, error: error2, transient: false, label: "not valid HTTP" };
}
function unansweredAnswer(error2, containerPort) {
  const label = error2 === "timed out" ? "no answer in time" : "no answer";
  return { status: null, location: null, body: null, error: describeHttpError(error2, containerPort), transient: true, label };
}
function describeHttpError(error2, containerPort) {
  const where = `0.0.0.0:${containerPort ?? "PORT"}`;
  if (error2 === null) return "no attempt was made";
  if (error2 === CLOSED_BEFORE_ANSWER || error2 === "ECONNRESET") {
    return `the app closed the connection without answering: is it listening on ${where}?`;
  }
  if (error2 === "ECONNREFUSED") return `nothing accepted the connection: is the app listening on ${where}?`;
  if (error2 === "timed out") return "the app accepted the connection but did not answer in time";
  return error2;
}
var CLOSED_BEFORE_ANSWER = "connection closed before an answer";
var BODY_READ_LIMIT = 65536;
function httpGet(url, timeoutMs, host) {
  return new Promise((resolve) => {
    let settled = false;
    const settle = (answer) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      request.destroy();
      resolve(answer);
    };
    const headers = { "user-agent": "deploy-check", connection: "close", ...host ? { host } : {} };
    const request = import_node_http.default.get(url, { agent: false, headers }, (response) => {
      const chunks = [];
      let length = 0;
      const header = (name) => {
        const value = response.headers[name];
        return typeof value === "string" ? value : null;
      };
      const finish = () => settle({
        status: response.statusCode ?? 0,
        body: Buffer.concat(chunks).toString("utf8"),
        location: header("location"),
        retryAfter: header("retry-after"),
        date: header("date")
      });
      response.on("data", (chunk) => {
        chunks.push(chunk);
        length += chunk.length;
        if (length >= BODY_READ_LIMIT) finish();
      });
      response.on("end", finish);
      response.on("error", finish);
      response.on("aborted", finish);
    });
    const timer = setTimeout(() => settle({ error: "timed out", malformed: false }), timeoutMs);
    request.on("error", (err) => settle(describeRequestError(err)));
  });
}
function describeRequestError(err) {
  if (err.code?.startsWith("HPE_")) return { error: describeMalformed(err), malformed: true };
  if (err.code === "ECONNRESET" && err.message === "socket hang up") return { error: CLOSED_BEFORE_ANSWER, malformed: false };
  return { error: err.code ?? err.message, malformed: false };
}
var MALFORMED_HTTP = {
  HPE_CR_EXPECTED: "lines end in LF without CR",
  HPE_LF_EXPECTED: "a CR is not followed by LF",
  HPE_INVALID_CONSTANT: 'it does not begin with "HTTP/" (is the port serving TLS, HTTP/2 or another protocol?)',
  HPE_INVALID_VERSION: "the HTTP version in its status line is not valid",
  HPE_INVALID_STATUS: "its status code is not a three-digit number",
  HPE_INVALID_HEADER_TOKEN: "a header line holds a character HTTP does not allow there (a header name with a space?)",
  HPE_INVALID_CONTENT_LENGTH: "its Content-Length header is not a number",
  HPE_UNEXPECTED_CONTENT_LENGTH: "it sends both Content-Length and Transfer-Encoding",
  HPE_INVALID_TRANSFER_ENCODING: "its Transfer-Encoding header is not valid",
  HPE_INVALID_CHUNK_SIZE: "a chunk size in its chunked body is not valid",
  HPE_HEADER_OVERFLOW: "its headers are larger than Node accepts (16 KiB)"
};
var MALFORMED_QUOTE_BYTES = 80;
function describeMalformed(err) {
  const reason = err.reason ? err.reason.charAt(0).toLowerCase() + err.reason.slice(1) : err.code ?? "unknown";
  const what = MALFORMED_HTTP[err.code ?? ""] ?? `the HTTP parser says: ${reason}`;
  const raw = err.rawPacket?.subarray(0, MALFORMED_QUOTE_BYTES).toString("latin1");
  const began = raw ? `; it began ${JSON.stringify(raw)}${(err.rawPacket?.length ?? 0) > MALFORMED_QUOTE_BYTES ? "\u2026" : ""}` : "";
  return `not in valid HTTP/1.1: ${what}${began}`;
}
var TcpWait = class {
  name = "tcp";
  target;
  host;
  port;
  failure = "no attempt yet";
  constructor(host, port) {
    this.host = host;
    this.port = port;
    this.target = `TCP ${host}:${port}`;
  }
  probe(budgetMs) {
    const holdMs = 150;
    return new Promise((resolve) => {
      const socket = net.connect({ host: this.host, port: this.port });
      let settled = false;
      const done = (ok, why2) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        if (!ok) this.failure = why2;
        socket.destroy();
        resolve(ok);
      };
      const timer = setTimeout(() => done(false, "connect timed out"), Math.max(50, Math.min(budgetMs, 3e3)));
      socket.once("connect", () => {
        clearTimeout(timer);
        setTimeout(() => done(true, ""), holdMs);
      });
      socket.once("data", () => done(true, ""));
      socket.once("end", () => done(false, "connection closed at once (nothing listening in the container)"));
      socket.once("close", () => done(false, "connection closed at once (nothing listening in the container)"));
      socket.once("error", (err) => done(false, err.code ?? err.message));
    });
  }
  lastFailure() {
    return `${this.target}: ${this.failure}`;
  }
  close() {
  }
};
var HealthcheckWait = class {
  name = "healthcheck";
  target = "Docker HEALTHCHECK";
  container;
  status = "starting";
  log = [];
  constructor(container) {
    this.container = container;
  }
  async probe() {
    const info = await this.container.inspect();
    const health = info.State.Health;
    this.status = health?.Status ?? "none";
    this.log = (health?.Log ?? []).map((l) => ({ exitCode: l.ExitCode, output: l.Output.trim(), start: l.Start }));
    return this.status === "healthy";
  }
  lastFailure() {
    const last = this.log.at(-1);
    return `Docker health status is "${this.status}"${last ? `; last check exited ${last.exitCode}: ${last.output.split("\n")[0]}` : ""}`;
  }
  close() {
  }
};
var LogWait = class {
  name = "log";
  target;
  pattern;
  text = "";
  matched = false;
  stream;
  constructor(pattern) {
    this.pattern = pattern;
    this.target = `log line /${pattern.source}/`;
  }
  async attach(container) {
    const stream = await container.logs({ stdout: true, stderr: true, follow: true });
    this.stream = stream;
    stream.on("data", (chunk) => {
      this.text = (this.text + chunk.toString("utf8").replace(/[\u0000-\u0002]\u0000\u0000\u0000[\s\S]{4}/g, "\n")).slice(-65536);
      if (this.pattern.test(this.text)) this.matched = true;
    });
    stream.on("error", () => {
    });
  }
  probe() {
    return Promise.resolve(this.matched);
  }
  lastFailure() {
    return `no log line matched /${this.pattern.source}/`;
  }
  close() {
    const s = this.stream;
    s?.destroy?.();
  }
};

// src/container/run.ts
var FAST_PROBE_MS = 50;
var SLOW_PROBE_MS = 250;
var BACK_OFF_AFTER_MS = 2e3;
var HEALTHCHECK_START_INTERVAL_NS = 25e7;
function probeIntervalMs(waitingMs) {
  return waitingMs < BACK_OFF_AFTER_MS ? FAST_PROBE_MS : SLOW_PROBE_MS;
}
function parityReport(config) {
  return {
    enabled: config.parity.enabled,
    why: config.parity.why,
    port: config.parity.injectedPort ?? null,
    portSource: config.parity.portSource,
    host: config.parity.host ?? null,
    acceptedStatus: formatStatusRanges(config.health.status),
    statusSource: config.health.statusSource,
    startCommandSource: config.commandSource,
    startCommand: config.command ? [...config.command] : null,
    startCommandReplaces: config.command ? config.commandReplaces : null,
    timeoutSource: config.health.timeoutSource,
    pathSource: config.health.pathSource ?? null
  };
}
async function createApp(config, docker2, params) {
  let image;
  try {
    image = await docker2.getImage(params.image).inspect();
  } catch (err) {
    const report2 = { ...unhealthyReport(config, config.health.strategy), reason: `could not run the container: ${dockerReason(err)}` };
    return { report: report2, strategyName: config.health.strategy, hasHealthcheck: false, hostMode: false, container: void 0, createError: err };
  }
  const imageHealthcheck = image.Config.Healthcheck;
  const hasHealthcheck = definesHealthcheck(imageHealthcheck);
  const strategyName = strategyForImage(config.health, hasHealthcheck);
  const report = unhealthyReport(config, strategyName);
  const app = { report, strategyName, hasHealthcheck, hostMode: params.network === "host", container: void 0, createError: void 0 };
  if (strategyName === "healthcheck" && !hasHealthcheck) {
    report.reason = 'wait-for is "healthcheck" but the image defines no HEALTHCHECK';
    return app;
  }
  const runs = image.Config;
  if (!config.command?.length && !runs.Cmd?.length && !runs.Entrypoint?.length) {
    report.reason = NOTHING_TO_RUN;
    return app;
  }
  try {
    const container = await docker2.createContainer(
      containerOptions(params, {
        name: containerName(params.runId),
        cmd: config.command,
        replacesEntrypoint: config.commandReplaces === "ENTRYPOINT",
        publishPort: config.port,
        mountsVolumes: true,
        healthcheck: hasHealthcheck && strategyName === "healthcheck" ? {
          ...imageHealthcheck,
          // Run the image's own check often while starting, so readiness is seen within a quarter second.
          StartPeriod: Math.max(imageHealthcheck?.StartPeriod ?? 0, config.health.timeoutMs * 1e6),
          StartInterval: HEALTHCHECK_START_INTERVAL_NS
        } : void 0
      })
    );
    return { ...app, container };
  } catch (err) {
    return { ...app, createError: err };
  }
}
function unhealthyReport(config, strategy) {
  return {
    status: "unhealthy",
    strategy,
    target: null,
    timeToHealthyMs: null,
    timeoutMs: config.health.timeoutMs,
    reason: null,
    container: null,
    lastHttp: null,
    healthLog: [],
    logs: [],
    parity: parityReport(config),
    imageHealthcheck: null,
    startError: null,
    probes: 0
  };
}
async function healthStage(config, log, app, removals, cancel) {
  const { report, strategyName, hasHealthcheck, hostMode, container } = app;
  if (report.reason !== null) return report;
  const hint2 = startCommandHint(config);
  if (hint2) log.warning(`${hint2.charAt(0).toUpperCase()}${hint2.slice(1)}`);
  const port = config.port;
  const portKey = port !== void 0 ? `${port}/tcp` : void 0;
  let strategy;
  let ranForMs;
  try {
    if (!container) throw app.createError;
    report.container = { id: container.id, exitCode: null, oomKilled: false, running: false, started: false };
    await container.start();
    removals.flush();
    let exited = false;
    const exit = container.wait({ condition: "not-running" }).then(
      () => {
        exited = true;
      },
      () => {
        exited = true;
      }
    );
    if (strategyName === "log" && config.health.logPattern) {
      const logWait = new LogWait(config.health.logPattern);
      strategy = logWait;
      await logWait.attach(container);
    }
    const info = await container.inspect();
    const startedAt = parseDockerTime(info.State.StartedAt) ?? Date.now();
    const running2 = {
      container,
      startedAt,
      deadline: startedAt + config.health.timeoutMs,
      exit,
      cancelled: cancelPromise(cancel),
      cancel,
      hasExited: () => exited,
      markExited: () => exited = true
    };
    if (strategyName === "exit") {
      ranForMs = await awaitExit(running2, config, log, report);
    } else {
      if (!strategy) {
        const hostPort = hostMode ? port : Number(info.NetworkSettings.Ports[portKey ?? ""]?.[0]?.HostPort);
        strategy = strategyFor(strategyName, container, config, hostPort, startedAt);
      }
      await probeUntilReady(running2, strategy, config, report, log);
    }
  } catch (err) {
    report.reason = `could not run the container: ${dockerReason(err)}`;
  } finally {
    strategy?.close();
    if (container) {
      await collectEvidence(container, strategy, report, strategyName === "http" && hasHealthcheck);
      removals.remove(container);
    }
  }
  settleVerdict(config, strategyName, ranForMs, report);
  if (report.status === "unhealthy" && hint2) report.reason = `${report.reason ?? "not healthy"}; ${hint2}`;
  const volume = volumeHint(config, report);
  if (volume) report.reason = `${report.reason ?? "not healthy"}; ${volume}`;
  return report;
}
function settleVerdict(config, strategyName, ranForMs, report) {
  if (strategyName === "exit" && ranForMs !== void 0 && report.container?.exitCode === 0) {
    report.status = "healthy";
    report.timeToHealthyMs = ranForMs;
    report.reason = null;
  } else if (report.status === "unhealthy" && report.startError && report.container?.started === false) {
    report.reason = `the container never started: Docker could not run ${describeProcess(config)}: ${report.startError}`;
  } else if (report.status === "unhealthy" && report.startError) {
    report.reason = `the container could not start: ${report.startError}`;
  } else if (strategyName === "exit" && report.status === "unhealthy" && report.container?.exitCode !== null && report.container?.exitCode !== void 0) {
    report.reason = `the container exited with code ${report.container.exitCode}${report.container.oomKilled ? " (killed for lack of memory: OOM)" : ""}; wait-for: exit passes only on exit code 0`;
  } else if (report.status === "unhealthy" && report.container?.exitCode !== null && report.container?.exitCode !== void 0) {
    report.reason = `the container exited with code ${report.container.exitCode}${report.container.oomKilled ? " (killed for lack of memory: OOM)" : ""} before it became healthy`;
  }
}
function startCommandHint(config) {
  return config.command && config.commandReplaces === "ENTRYPOINT" ? shellWrapHint(config.command, "start command") : void 0;
}
var PERMISSION_DENIED = /permission denied|EACCES|PermissionError|unable to open database file|read-only file system/i;
function volumeHint(config, report) {
  const volumes = config.railwayIac?.service.volumes ?? [];
  if (report.status !== "unhealthy" || volumes.length === 0 || !report.logs.some((l) => PERMISSION_DENIED.test(l))) return void 0;
  const paths = volumes.map((v) => v.mountPath).join(", ");
  return `Railway mounts the volume at ${paths} empty and owned by root, as this check does: an app running as a non-root user cannot write there unless it starts as root, hands the directory over (chown) and then drops privileges`;
}
function describeProcess(config) {
  if (!config.command) return "the image's own command";
  const where = config.commandSource === "command input" ? "the command input" : `the start command (${config.commandSource})`;
  return config.commandReplaces === "ENTRYPOINT" ? `${where}, which replaces the image's ENTRYPOINT as on Railway` : where;
}
function strategyFor(name, container, config, hostPort, startedAt) {
  if (name === "healthcheck") return new HealthcheckWait(container);
  if (!hostPort) throw new Error(`Docker published no host port for container port ${config.port ?? "?"}`);
  if (name === "http") {
    return new HttpWait(`http://127.0.0.1:${hostPort}${config.health.path ?? "/"}`, config.health.status, config.health.body, {
      host: config.parity.host,
      containerPort: config.port,
      railwayStatus: config.health.statusSource === "railway",
      startedAt
    });
  }
  return new TcpWait("127.0.0.1", hostPort);
}
async function awaitExit(running2, config, log, report) {
  report.target = "exit code 0";
  log.info(`Waiting up to ${Math.round(config.health.timeoutMs / 1e3)}s for the container to run to completion (exit code 0)`);
  let timer;
  const timeout = new Promise((resolve) => timer = setTimeout(() => resolve("timeout"), Math.max(0, running2.deadline - Date.now())));
  const outcome = await Promise.race([running2.exit.then(() => "exited"), timeout, running2.cancelled.then(() => "cancelled")]);
  clearTimeout(timer);
  if (outcome === "cancelled") {
    report.status = "cancelled";
    report.reason = `cancelled (${String(running2.cancel?.reason)}) while the container ran`;
    return void 0;
  }
  if (outcome === "timeout") {
    report.reason = `still running after ${Math.round(config.health.timeoutMs / 1e3)}s; wait-for: exit expects the container to finish with exit code 0 within health-timeout`;
    return void 0;
  }
  return Math.max(0, Date.now() - running2.startedAt);
}
async function probeUntilReady(running2, strategy, config, report, log) {
  report.target = strategy.target;
  const parityNote = config.parity.host && strategy instanceof HttpWait ? ` (Host: ${config.parity.host}, accepted: ${formatStatusRanges(config.health.status)})` : "";
  log.info(`Waiting up to ${Math.round(config.health.timeoutMs / 1e3)}s for ${strategy.target}${parityNote}`);
  const waitStarted = Date.now();
  const probing = { fastProbes: 0, fastMs: 0, slowProbes: 0, slowMs: 0 };
  report.probing = probing;
  const tally = () => {
    const waited = Date.now() - waitStarted;
    probing.fastMs = Math.min(waited, BACK_OFF_AFTER_MS);
    probing.slowMs = Math.max(0, waited - BACK_OFF_AFTER_MS);
  };
  for (; ; ) {
    tally();
    if (running2.cancel?.aborted) {
      report.status = "cancelled";
      report.reason = `cancelled (${String(running2.cancel.reason)}) while waiting for the container to become healthy`;
      return;
    }
    if (running2.hasExited()) {
      report.reason = "the container exited while deploy-check was waiting for it to become healthy";
      return;
    }
    const remaining = running2.deadline - Date.now();
    if (remaining <= 0) {
      report.reason = `not healthy after ${Math.round(config.health.timeoutMs / 1e3)}s: ${strategy.lastFailure()}`;
      return;
    }
    report.probes = (report.probes ?? 0) + 1;
    if (Date.now() - waitStarted < BACK_OFF_AFTER_MS) probing.fastProbes++;
    else probing.slowProbes++;
    if (await strategy.probe(remaining)) {
      const readyAt = Date.now();
      if (running2.hasExited() || !(await running2.container.inspect()).State.Running) {
        running2.markExited();
        continue;
      }
      report.status = "healthy";
      report.timeToHealthyMs = Math.max(0, readyAt - running2.startedAt);
      tally();
      return;
    }
    const hopeless = strategy.hopeless?.() ?? null;
    if (hopeless !== null) {
      report.reason = hopeless;
      return;
    }
    const pause = Math.max(probeIntervalMs(Date.now() - waitStarted), strategy.pauseMs?.() ?? 0);
    await pauseUnless(Math.min(pause, Math.max(0, running2.deadline - Date.now())), running2.exit, running2.cancelled);
  }
}
var NOTHING_TO_RUN = 'the image has nothing to run (no CMD or ENTRYPOINT): set "command" to the process to start, or "wait-for: none" to build, measure and check the image without running it';
function cancelPromise(cancel) {
  return new Promise((resolve) => {
    if (!cancel) return;
    if (cancel.aborted) resolve();
    cancel.addEventListener("abort", () => resolve(), { once: true });
  });
}
async function collectEvidence(container, strategy, report, secondOpinion) {
  const logs = keptLogLines(container);
  try {
    const info = await container.inspect();
    const started = !info.State.StartedAt.startsWith("0001-");
    report.container = {
      id: container.id,
      running: info.State.Running,
      started,
      exitCode: info.State.Running || !started ? null : info.State.ExitCode,
      oomKilled: info.State.OOMKilled
    };
    const stateError = info.State.Error;
    if (stateError) report.startError = stateError;
    const health = info.State.Health;
    report.healthLog = (health?.Log ?? []).map((l) => ({ exitCode: l.ExitCode, output: l.Output.trim(), start: l.Start }));
    if (secondOpinion && health?.Status) {
      report.imageHealthcheck = { status: health.Status, lastOutput: report.healthLog.at(-1)?.output ?? null };
    }
  } catch {
  }
  if (strategy instanceof HttpWait) {
    report.lastHttp = { ...strategy.evidence };
    report.httpAnswers = strategy.answers();
  }
  if (strategy instanceof HealthcheckWait && report.healthLog.length === 0) report.healthLog = strategy.log;
  const kept = await logs;
  report.logLines = kept.count;
  report.logs = kept.lines;
}
function definesHealthcheck(healthcheck) {
  return Boolean(healthcheck?.Test?.length && healthcheck.Test[0] !== "NONE");
}
function strategyForImage(health, imageHasHealthcheck) {
  return health.automatic && health.strategy === "tcp" && imageHasHealthcheck ? "healthcheck" : health.strategy;
}
function parseDockerTime(text2) {
  if (!text2 || text2.startsWith("0001-")) return void 0;
  const ms = Date.parse(text2.replace(/(\.\d{3})\d+/, "$1"));
  return Number.isNaN(ms) ? void 0 : ms;
}
async function pauseUnless(ms, ...events) {
  let timer;
  await Promise.race([new Promise((resolve) => timer = setTimeout(resolve, ms)), ...events]);
  clearTimeout(timer);
}

// src/container/removals.ts
var PendingRemovals = class {
  #pending = /* @__PURE__ */ new Set();
  #later = [];
  /** Removed at the next `removeLater()` flush: the engine starts the next container faster when it is not busy removing one. */
  removeLater(container) {
    this.#later.push(container);
  }
  /** Starts the removals put off with `removeLater`. */
  flush() {
    for (const container of this.#later.splice(0)) this.remove(container);
  }
  /** Starts removing `container` (and its anonymous volumes); a container already gone is fine. */
  remove(container) {
    const removal = container.remove({ force: true, v: true }).then(
      () => void 0,
      () => void 0
    );
    this.#pending.add(removal);
    void removal.finally(() => this.#pending.delete(removal));
  }
  /** Resolves once every removal started so far has ended. */
  async settled() {
    this.flush();
    while (this.#pending.size > 0) await Promise.all([...this.#pending]);
  }
};

// src/hygiene/rules.ts
function hasUrlPassword(value) {
  return /\b[a-z][a-z0-9+.-]*:\/\/[^/\s:@]*:[^/\s@]+@/i.test(value);
}
function urlCredentials(value) {
  const m = /\b[a-z][a-z0-9+.-]*:\/\/([^/\s:@]*):([^/\s@]+)@([^/\s:?#]*)/i.exec(value);
  return m ? { user: m[1] ?? "", password: m[2] ?? "", host: m[3] ?? "" } : void 0;
}
function secretValueReason(name, value) {
  const v = value.trim();
  if (v === "" || /^\$\{?[A-Za-z_][A-Za-z0-9_]*\}?$/.test(v)) return void 0;
  if (/^\/[\w./-]+$/.test(v)) return void 0;
  const url = urlCredentials(v);
  if (url) return urlPasswordLookalike(url.user, url.password, url.host) ? void 0 : "url-password";
  if (isPlaceholder(v)) return void 0;
  return isSecretName(name) ? "name" : void 0;
}
function splitEnv(entry) {
  const eq = entry.indexOf("=");
  return eq < 0 ? { name: entry, value: "" } : { name: entry.slice(0, eq), value: entry.slice(eq + 1) };
}
function parseHistoryBuildArgs(createdBy) {
  const m = /^RUN \|(\d+) (.*)$/s.exec(createdBy);
  if (!m) return void 0;
  const count = Number(m[1]);
  const rest = m[2] ?? "";
  const shellAt = rest.search(/(?:^| )\/bin\/sh -c /);
  const argText = shellAt >= 0 ? rest.slice(0, shellAt) : rest;
  const command = shellAt >= 0 ? rest.slice(shellAt).trim() : "";
  const args = [];
  const words = argText.split(" ");
  for (const word of words) {
    const named = /^([A-Za-z_][A-Za-z0-9_]*)=(.*)$/s.exec(word);
    if (named && (args.length < count || !args.length)) args.push({ name: named[1] ?? "", value: named[2] ?? "" });
    else if (args.length > 0) {
      const lastArg = args[args.length - 1];
      if (lastArg) lastArg.value += ` ${word}`;
    }
  }
  return { args, command };
}
function parseEnvInstruction(text2) {
  const body = text2.replace(/^(?:ENV|ARG)\s+/i, "").trim();
  const out = [];
  if (!/^[A-Za-z_][A-Za-z0-9_.-]*=/.test(body)) {
    const legacy = /^([A-Za-z_][A-Za-z0-9_.-]*)(?:\s+(.*))?$/s.exec(body);
    if (legacy) out.push({ name: legacy[1] ?? "", value: (legacy[2] ?? "").trim() });
    return out;
  }
  const re = /([A-Za-z_][A-Za-z0-9_.-]*)(?:=("(?:[^"\\]|\\.)*"|'[^']*'|\S*))?/g;
  for (const m of body.matchAll(re)) {
    const raw = m[2] ?? "";
    const value = raw.startsWith('"') ? raw.slice(1, -1).replace(/\\(.)/g, "$1") : raw.startsWith("'") ? raw.slice(1, -1) : raw;
    out.push({ name: m[1] ?? "", value });
  }
  return out;
}
function imagePath(entryPath) {
  const trimmed = entryPath.replace(/^(?:\.\/|\/)+/, "").replace(/\/+$/, "");
  return `/${trimmed}`;
}
function basename(path33) {
  return path33.slice(path33.lastIndexOf("/") + 1);
}
function isThirdPartyPath(path33) {
  return /\/(?:site-packages|dist-packages|node_modules|vendor\/bundle|gems)\/|^\/usr\/share\/(?:doc|ca-certificates)\/|^\/usr\/lib\/python3[^/]*\/test\/|^\/usr\/(?:local\/)?go\/|^\/etc\/ssl\/certs\//.test(
    path33
  );
}
var MAX_SECRET_BODY = 256 * 1024;
var ENV_FILE_DOCS = /^\.env\.(?:example|sample|template|dist|defaults|schema|tpl|example\.[^/]+)$|\.(?:example|sample|template)$/i;
var ENV_FILE_TESTS = /^\.env\.(?:test|testing|ci)$/i;
function envFileHasSecret(body) {
  for (const m of body.matchAll(/^[ \t]*(?:export[ \t]+)?([A-Za-z_][A-Za-z0-9_.-]*)[ \t]*=[ \t]*(.*)$/gm)) {
    const value = (m[2] ?? "").replace(/^(["'])(.*)\1\s*$/, "$2").replace(/\s+#.*$/, "");
    if (!isFlagValue(value) && secretValueReason(m[1] ?? "", value)) return true;
  }
  return false;
}
var PRIVATE_KEY_MARKER = /-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----/;
var hasPrivateKey = (body) => PRIVATE_KEY_MARKER.test(body);
var npmrcHasToken = (body) => /^\s*(?:\/\/[^\s=]*:)?(?:_authToken|_auth|_password|npmAuthToken|npmAuthIdent)\s*[=:]\s*["']?(?!\$\{)[^\s"'#]+/im.test(body);
var pypircHasPassword = (body) => /^\s*password\s*[=:]\s*(?!\$\{)\S+/im.test(body);
var netrcHasPassword = (body) => /\bpassword\s+\S+/.test(body);
var dockerConfigHasAuth = (body) => /"(?:auth|identitytoken|registrytoken)"\s*:\s*"[^"]+"/.test(body);
var kubeConfigHasCredential = (body) => /^\s*(?:token|client-key-data|password)\s*:\s*\S+/m.test(body);
var serviceAccountKey = (body) => /"private_key"\s*:\s*"-----BEGIN/.test(body) || /"type"\s*:\s*"service_account"/.test(body);
var gitConfigHasCredential = (body) => hasUrlPassword(body) || /^\s*(?:extraheader|password)\s*=\s*\S+/im.test(body);
function secretFileRule(path33) {
  if (isThirdPartyPath(path33)) return void 0;
  const name = basename(path33);
  const lower = name.toLowerCase();
  if (ENV_FILE_TESTS.test(lower)) return { kind: "env-file", content: envFileHasSecret };
  if (lower === ".env" || lower.startsWith(".env.") && !ENV_FILE_DOCS.test(lower)) return { kind: "env-file" };
  if (/^id_(?:rsa|dsa|ecdsa|ed25519)(?:_sk)?$/.test(name)) return { kind: "private-key" };
  if (/\.(?:pem|key|priv)$/i.test(name) || /^id_(?:rsa|dsa|ecdsa|ed25519)/.test(name) && !name.endsWith(".pub")) {
    return { kind: "private-key", content: hasPrivateKey };
  }
  if (/\.(?:p12|pfx|jks|keystore|ppk)$/i.test(name)) return { kind: "keystore" };
  if (lower === ".npmrc" || lower === "npmrc" || lower === ".yarnrc.yml") return { kind: "npmrc", content: npmrcHasToken };
  if (lower === ".pypirc") return { kind: "pypirc", content: pypircHasPassword };
  if (lower === ".netrc" || lower === "_netrc") return { kind: "netrc", content: netrcHasPassword };
  if (lower === ".git-credentials") return { kind: "git-credentials" };
  if (/\/\.aws\/credentials$/.test(path33)) return { kind: "aws-credentials" };
  if (lower === "application_default_credentials.json" || /\/\.config\/gcloud\/(?:credentials\.db|access_tokens\.db|legacy_credentials\/)/.test(path33)) {
    return { kind: "gcloud-credentials" };
  }
  if (/\/\.docker\/config\.json$/.test(path33)) return { kind: "docker-config", content: dockerConfigHasAuth };
  if (/\/\.kube\/config$/.test(path33)) return { kind: "kube-config", content: kubeConfigHasCredential };
  if (/\.json$/i.test(lower) && /(?:service[-_]?account|credentials|gcp[-_]?key|sa[-_]key|keyfile)/i.test(lower)) {
    return { kind: "service-account-key", content: serviceAccountKey };
  }
  if (/\/\.git\/config$/.test(path33)) return { kind: "git-config", content: gitConfigHasCredential };
  if (/\.tfstate(?:\.backup)?$/i.test(lower)) return { kind: "terraform-state" };
  return void 0;
}
var SECRET_FILE_LABELS = {
  "env-file": "environment file",
  "private-key": "private key",
  keystore: "key store",
  npmrc: "npm/yarn config with an auth token",
  pypirc: ".pypirc with a password",
  netrc: ".netrc with a password",
  "git-credentials": "git credential store",
  "aws-credentials": "AWS credentials file",
  "gcloud-credentials": "Google Cloud credentials",
  "service-account-key": "service account key",
  "docker-config": "Docker config with registry credentials",
  "kube-config": "kubeconfig with credentials",
  "git-config": "git config with a credential",
  "terraform-state": "Terraform state"
};
function gitDirectoryOf(path33) {
  if (isThirdPartyPath(path33)) return void 0;
  const m = /^(.*?\/\.git)(?:\/|$)/.exec(path33);
  return m?.[1];
}
function packageCacheOf(path33) {
  let m;
  if (m = /^(\/var\/lib\/apt\/lists)\/(?!lock$|partial\/|auxfiles\/)[^/]+$/.exec(path33)) return m[1];
  if (m = /^(\/var\/cache\/apt\/archives)\/[^/]+\.deb$/.exec(path33)) return m[1];
  if (m = /^(\/var\/cache\/apt)\/[^/]+\.bin$/.exec(path33)) return m[1];
  if (m = /^(\/var\/cache\/apk)\/[^/]+$/.exec(path33)) return m[1];
  if (m = /^(\/var\/cache\/(?:yum|dnf))\/.+$/.exec(path33)) return m[1];
  if (m = /^((?:\/root|\/home\/[^/]+)\/\.cache\/(?:pip|uv|pypoetry|yarn|go-build))\/.+$/.exec(path33)) return m[1];
  if (m = /^((?:\/root|\/home\/[^/]+)\/\.npm)\/_cacache\/.+$/.exec(path33)) return m[1];
  if (m = /^(\/usr\/local\/share\/\.cache\/yarn)\/.+$/.exec(path33)) return m[1];
  return void 0;
}
function packageCacheAdvice(root) {
  if (root === "/var/lib/apt/lists") return "end the RUN that runs apt-get update with `rm -rf /var/lib/apt/lists/*`";
  if (root.startsWith("/var/cache/apt")) return "end the RUN that installs packages with `apt-get clean`";
  if (root === "/var/cache/apk") return "use `apk add --no-cache`";
  if (root.endsWith("/.cache/pip")) return "use `pip install --no-cache-dir` (or a cache mount)";
  if (root.endsWith("/.npm")) return "run `npm cache clean --force` in the same RUN, or use a cache mount";
  if (root.endsWith("/yarn")) return "run `yarn cache clean` in the same RUN, or use a cache mount";
  return "clear it in the same RUN that fills it, or use a cache mount (RUN --mount=type=cache)";
}
function compilerOf(path33) {
  let m;
  if (m = /^\/usr\/(?:local\/)?bin\/((?:[a-z0-9_]+-linux-gnu-)?(?:gcc|g\+\+|c\+\+|cc|clang|clang\+\+)(?:-[0-9.]+)?)$/.exec(path33)) return m[1];
  if (m = /^\/usr\/(?:lib|libexec)\/gcc\/[^/]+\/[^/]+\/(cc1(?:plus)?)$/.exec(path33)) return m[1];
  if (/^\/usr\/share\/build-essential\//.test(path33)) return "build-essential";
  if (m = /^\/usr\/local\/cargo\/bin\/(rustc|cargo)$/.exec(path33)) return m[1];
  if (/^\/usr\/local\/go\/bin\/go$/.test(path33)) return "go";
  return void 0;
}
function whiteoutTarget(path33) {
  const name = basename(path33);
  if (!name.startsWith(".wh.")) return void 0;
  const dir = path33.slice(0, path33.length - name.length - 1);
  if (name === ".wh..wh..opq") return { kind: "opaque", target: dir || "/" };
  return { kind: "path", target: `${dir}/${name.slice(4)}` };
}
function isUnder(path33, target) {
  return target === "/" || path33 === target || path33.startsWith(`${target}/`);
}
function parseImageUser(raw) {
  const text2 = (raw ?? "").trim();
  const [user = "", group] = text2.split(":", 2);
  const root = user === "" || user === "root" || /^0+$/.test(user);
  return { user: user === "" ? "root" : user, group: group === "" ? void 0 : group, root, numeric: /^\d+$/.test(user) };
}
function accountNames(content) {
  const names = /* @__PURE__ */ new Set();
  const ids = /* @__PURE__ */ new Set();
  for (const line of content.split("\n")) {
    if (line.trim() === "" || line.startsWith("#")) continue;
    const fields = line.split(":");
    if (fields[0]) names.add(fields[0]);
    if (fields[2]) ids.add(fields[2]);
  }
  return { names, ids };
}

// src/hygiene/history.ts
function stageChain(facts) {
  const chain = [];
  for (let s = facts.finalStage; s; ) {
    chain.unshift(s);
    const parentName = s.from.toLowerCase();
    const index = s.index;
    s = facts.stages.find((p) => p.name !== void 0 && p.name.toLowerCase() === parentName && p.index < index);
  }
  return chain;
}
function sanitizeCreatedBy(createdBy) {
  let text2 = createdBy.replace(/\s+# buildkit$/, "").trim();
  const withArgs = parseHistoryBuildArgs(text2);
  if (withArgs) text2 = `RUN ${withArgs.command}`;
  text2 = text2.replace(/^\/bin\/sh -c #\(nop\)\s*/, "").replace(/^\/bin\/sh -c /, "RUN ");
  text2 = text2.replace(/^RUN \/bin\/sh -c /, "RUN ");
  return text2.replace(/\s+/g, " ").slice(0, 200);
}
function historyKeyword(createdBy) {
  if (!createdBy) return void 0;
  const text2 = sanitizeCreatedBy(createdBy);
  const word = /^([A-Z]+)\b/.exec(text2)?.[1];
  return word && KEYWORDS.has(word) ? word : void 0;
}
var KEYWORDS = /* @__PURE__ */ new Set([
  "RUN",
  "COPY",
  "ADD",
  "ENV",
  "ARG",
  "WORKDIR",
  "USER",
  "LABEL",
  "EXPOSE",
  "HEALTHCHECK",
  "CMD",
  "ENTRYPOINT",
  "VOLUME",
  "STOPSIGNAL",
  "SHELL",
  "ONBUILD",
  "MAINTAINER"
]);
function normalize(text2) {
  return text2.replace(/\s+/g, " ").trim();
}
function runCommand(text2) {
  return normalize(text2.replace(/^RUN\s+/i, "").replace(/^(?:--\S+\s+)+/, ""));
}
function sameText(instruction, createdBy) {
  const recorded = sanitizeCreatedBy(createdBy);
  if (instruction.keyword === "RUN") return runCommand(instruction.text) === runCommand(recorded);
  return normalize(instruction.text) === normalize(recorded);
}
function attributeHistory(history, facts) {
  const chain = stageChain(facts);
  const root = chain[0];
  const instructions = chain.flatMap((s) => s.instructions.filter((i) => i.keyword !== "FROM"));
  const baseOrigin = (entry) => ({
    instruction: root ? `FROM ${root.from}` : sanitizeCreatedBy(entry.created_by ?? ""),
    line: root?.line ?? null,
    fromBase: true
  });
  const origins = new Array(history.length);
  let next = instructions.length - 1;
  let inBase = false;
  for (let h = history.length - 1; h >= 0; h--) {
    const entry = history[h] ?? {};
    const keyword = inBase ? void 0 : historyKeyword(entry.created_by);
    let match = -1;
    if (keyword) {
      let sameKeyword = -1;
      for (let q = next; q >= 0; q--) {
        const ins2 = instructions[q];
        if (ins2?.keyword !== keyword) continue;
        if (sameKeyword < 0) sameKeyword = q;
        if (sameText(ins2, entry.created_by ?? "")) {
          match = q;
          break;
        }
      }
      if (match < 0) match = sameKeyword;
    }
    const ins = match >= 0 ? instructions[match] : void 0;
    if (!ins) {
      inBase = true;
      origins[h] = baseOrigin(entry);
      continue;
    }
    next = match - 1;
    origins[h] = { instruction: ins.text.slice(0, 200), line: ins.line, fromBase: false };
  }
  return origins;
}
function layerOrigins(history, origins, layerCount) {
  const withLayer = history.map((e, i) => ({ e, i })).filter(({ e }) => e.empty_layer !== true);
  if (withLayer.length !== layerCount) return new Array(layerCount).fill(void 0);
  return withLayer.map(({ i }) => origins[i]);
}

// src/hygiene/rules/context.ts
import path22 from "node:path";
var LARGE_CONTEXT_BYTES = 1e8;
function contextFindings({ context, sources }) {
  const drafts = [];
  if (context.ignoreFile === null) drafts.push(noIgnoreFileFinding(context, sources));
  else drafts.push(...ignoreGapFindings(context, context.ignoreFile, sources));
  if (context.bytes > LARGE_CONTEXT_BYTES) {
    drafts.push({
      id: "large-context",
      message: `The build context is ${formatBytes2(context.bytes)} (${context.files} files): every build sends it to the builder; exclude what the image does not need in .dockerignore`,
      file: context.ignoreFile,
      line: null,
      path: context.dir,
      evidence: Object.entries(context.sentBytes).map(([name, bytes]) => `${name}: ${formatBytes2(bytes)}`)
    });
  }
  return drafts;
}
function copiedSources(instructions) {
  const out = [];
  for (const ins of instructions) {
    if (ins.keyword !== "COPY" && ins.keyword !== "ADD") continue;
    const body = ins.text.replace(/^(?:COPY|ADD)\s+/i, "");
    if (/(?:^|\s)--from=/.test(body)) continue;
    let args;
    const json = body.replace(/^(?:--\S+\s+)*/, "");
    try {
      args = json.startsWith("[") ? JSON.parse(json) : json.split(/\s+/).filter(Boolean);
    } catch {
      args = json.split(/\s+/).filter(Boolean);
    }
    out.push(...args.slice(0, -1));
  }
  return out;
}
function isWholeContext(raw) {
  const s = raw.replace(/^\.\//, "").replace(/\/+$/, "");
  return s === "" || s === "." || s === "*" || s === "/";
}
function copies(sources, name) {
  return sources.some((raw) => {
    const s = raw.replace(/^\.\//, "").replace(/\/+$/, "");
    if (isWholeContext(raw)) return true;
    if (s === name || s.startsWith(`${name}/`)) return true;
    if (!s.includes("*") && !s.includes("?")) return false;
    const first = s.split("/")[0] ?? s;
    const re = new RegExp(
      `^${first.replace(/[.+^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*").replace(/\?/g, ".")}$`
    );
    return re.test(name);
  });
}
function noIgnoreFileFinding(context, sources) {
  return {
    id: "no-dockerignore",
    message: `The build context has no .dockerignore: every file is sent to the builder${noIgnoreFileReach(context, sources)}`,
    file: null,
    line: null,
    path: path22.join(context.dir, ".dockerignore"),
    evidence: [`context: ${formatBytes2(context.bytes)} in ${context.files} files`]
  };
}
function noIgnoreFileReach(context, sources) {
  const present = context.gaps.filter((g) => g.present);
  const list2 = (gaps) => gaps.map((g) => `${g.name}${g.name in context.sentBytes ? ` (${formatBytes2(context.sentBytes[g.name] ?? 0)})` : ""}`).join(", ");
  if (sources.some(isWholeContext)) {
    return ` and COPY . copies it into the image${present.length ? `, including ${list2(present)}` : ""}`;
  }
  const copied = present.filter((g) => copies(sources, g.name));
  const sentOnly = present.filter((g) => !copies(sources, g.name));
  return [
    copied.length ? `, and the Dockerfile's COPY takes ${list2(copied)} into the image` : "",
    sentOnly.length ? `${copied.length ? "; " : ", including "}${list2(sentOnly)}${copied.length ? " is sent too" : ""}, which no COPY or ADD of the Dockerfile takes into the image` : ""
  ].join("");
}
function ignoreGapFindings(context, ignoreFile, sources) {
  const gaps = context.gaps.filter((g) => copies(sources, g.name));
  if (gaps.length === 0) return [];
  const sent = (name2) => {
    const bytes = context.sentBytes[name2];
    return bytes === void 0 ? "" : `: ${formatBytes2(bytes)} sent`;
  };
  const what = (g) => g.missing ? g.missing.join(", ") : g.name;
  const name = path22.basename(ignoreFile);
  return [
    {
      id: "dockerignore-gaps",
      message: `${name} does not exclude ${gaps.map((g) => `${what(g)}${g.present ? ` (in the context${sent(g.name)})` : ""}`).join(", ")}, which the Dockerfile's COPY would take into the image`,
      file: ignoreFile,
      line: null,
      path: ignoreFile,
      evidence: gaps.map(
        (g) => `${what(g)}: ${g.present ? "in the context, sent to the builder" : "not in the context now, would be sent and copied if created"}`
      ),
      fix: `add ${gaps.map((g) => g.name === ".env" ? ".env*" : g.name).join(", ")} to ${name}`
    }
  ];
}

// src/hygiene/rules/draft.ts
var BASE_SECRET_FIX = "it comes with the base image: use another base image or a newer tag, and tell its maintainers";
function withArticle(label) {
  return `${/^(?:[aeiou](?!rl\b)|npm\b)/i.test(label) ? "an" : "a"} ${label}`;
}
function describeLayer(ref, count) {
  const text2 = ref.instruction.length > 60 ? `${ref.instruction.slice(0, 57)}...` : ref.instruction;
  const what = ref.fromBase ? `base image ${text2.replace(/^FROM /, "")}` : text2;
  return `layer ${ref.index + 1} of ${count} (${what}${ref.line !== null ? `, line ${ref.line}` : ""})`;
}
function layerNames(refs, count) {
  const ref = (i) => refs[i] ?? { index: i, digest: null, instruction: "unknown", line: null, fromBase: false };
  return {
    ref,
    where: (i) => describeLayer(ref(i), count),
    short: (i) => `layer ${i + 1}${ref(i).line !== null ? ` (line ${ref(i).line})` : ""}`
  };
}
function lastInstructionLine(chain, keyword, accept = () => true) {
  for (let s = chain.length - 1; s >= 0; s--) {
    const ins = chain[s]?.instructions.filter((i) => i.keyword === keyword && accept(i.text)).at(-1);
    if (ins) return ins.line;
  }
  return void 0;
}

// src/hygiene/rules/healthcheck.ts
function healthcheckFindings({ test, healthPath, line }) {
  const hasHealthcheck = Boolean(test?.length && test[0] !== "NONE");
  if (hasHealthcheck || healthPath) return [];
  return [
    {
      id: "no-healthcheck",
      message: "The image has no HEALTHCHECK and no health path is configured (health-path, healthcheck in .railway/railway.ts, deploy.healthcheckPath in railway.json/toml, or the Railway service's health check path): nothing tells the platform when the app is ready",
      line
    }
  ];
}

// src/hygiene/archive.ts
import { once } from "node:events";
import zlib from "node:zlib";

// src/hygiene/tar.ts
var TarFormatError = class extends Error {
  constructor(message) {
    super(message);
    this.name = "TarFormatError";
  }
};
var BLOCK = 512;
var MAX_META = 1 << 20;
var TarReader = class {
  state = { kind: "header" };
  pending = Buffer.alloc(0);
  pax = /* @__PURE__ */ new Map();
  globalPax = /* @__PURE__ */ new Map();
  longName;
  longLink;
  visit;
  entries = 0;
  constructor(visit) {
    this.visit = visit;
  }
  /** True once the end-of-archive marker was read; bytes after it are ignored. */
  get done() {
    return this.state.kind === "done";
  }
  /**
   * Feeds the next bytes. Synchronous unless a body sink returns a promise (backpressure),
   * in which case the returned promise settles once the whole chunk was consumed.
   */
  push(chunk) {
    let offset = 0;
    while (offset < chunk.length) {
      const state = this.state;
      if (state.kind === "done") return void 0;
      if (state.kind === "header") {
        const need = BLOCK - this.pending.length;
        if (this.pending.length === 0 && chunk.length - offset >= BLOCK) {
          const header = chunk.subarray(offset, offset + BLOCK);
          offset += BLOCK;
          const r = this.header(header);
          if (r) return r.then(() => this.push(chunk.subarray(offset)));
        } else {
          const take2 = Math.min(need, chunk.length - offset);
          this.pending = Buffer.concat([this.pending, chunk.subarray(offset, offset + take2)]);
          offset += take2;
          if (this.pending.length === BLOCK) {
            const header = this.pending;
            this.pending = Buffer.alloc(0);
            const r = this.header(header);
            if (r) return r.then(() => this.push(chunk.subarray(offset)));
          }
        }
        continue;
      }
      if (state.kind === "body") {
        const take2 = Math.min(state.remaining, chunk.length - offset);
        const slice = chunk.subarray(offset, offset + take2);
        offset += take2;
        state.remaining -= take2;
        let r = state.sink && take2 > 0 ? state.sink.data(slice) : void 0;
        if (state.remaining === 0) {
          const sink = state.sink;
          this.state = state.padding > 0 ? { kind: "padding", remaining: state.padding } : { kind: "header" };
          if (sink) r = r ? r.then(() => sink.end()) : sink.end();
        }
        if (r) return r.then(() => this.push(chunk.subarray(offset)));
        continue;
      }
      if (state.kind === "meta") {
        const take2 = Math.min(state.remaining, chunk.length - offset);
        if (state.kept + take2 <= MAX_META) {
          state.parts.push(Buffer.from(chunk.subarray(offset, offset + take2)));
          state.kept += take2;
        }
        offset += take2;
        state.remaining -= take2;
        if (state.remaining === 0) {
          this.meta(state.flag, Buffer.concat(state.parts));
          this.state = state.padding > 0 ? { kind: "padding", remaining: state.padding } : { kind: "header" };
        }
        continue;
      }
      const take = Math.min(state.remaining, chunk.length - offset);
      offset += take;
      state.remaining -= take;
      if (state.remaining === 0) this.state = { kind: "header" };
    }
    return void 0;
  }
  /** Call after the last chunk: a stream that stops inside an entry is truncated. */
  end() {
    if (this.state.kind === "body" || this.state.kind === "meta") {
      throw new TarFormatError("the archive ends inside an entry (truncated stream)");
    }
  }
  header(block) {
    if (isZeroBlock(block)) {
      this.state = { kind: "done" };
      return void 0;
    }
    if (!checksumMatches(block)) throw new TarFormatError("bad tar header checksum (not a tar stream, or corrupted)");
    const flag = String.fromCharCode(block[156] ?? 0);
    let size = readNumber(block, 124, 12);
    const padding = (BLOCK - size % BLOCK) % BLOCK;
    if (flag === "x" || flag === "g" || flag === "L" || flag === "K") {
      this.state = size > 0 ? { kind: "meta", remaining: size, padding, flag, parts: [], kept: 0 } : { kind: "header" };
      return void 0;
    }
    const ustar = block.toString("latin1", 257, 263) === "ustar\0";
    const name = cString(block, 0, 100);
    const prefix = ustar ? cString(block, 345, 155) : "";
    let path33 = this.longName ?? this.pax.get("path") ?? this.globalPax.get("path") ?? (prefix ? `${prefix}/${name}` : name);
    const linkPath = this.longLink ?? this.pax.get("linkpath") ?? cString(block, 157, 100);
    const paxSize = this.pax.get("size");
    if (paxSize !== void 0 && /^\d+$/.test(paxSize)) size = Number(paxSize);
    this.pax = /* @__PURE__ */ new Map();
    this.longName = void 0;
    this.longLink = void 0;
    path33 = path33.replace(/^(?:\.\/|\/)+/, "");
    const type = flag === "0" || flag === "\0" || flag === "7" ? "file" : flag === "1" ? "hardlink" : flag === "2" ? "symlink" : flag === "5" ? "directory" : "other";
    const bodySize = "123456".includes(flag) ? 0 : size;
    const bodyPadding = (BLOCK - bodySize % BLOCK) % BLOCK;
    this.entries++;
    const mode = readNumber(block, 100, 8) & 4095;
    const sink = this.visit({ path: path33, type, size: bodySize, linkPath, mode });
    if (bodySize === 0) {
      this.state = { kind: "header" };
      const r = sink?.end();
      return r ?? void 0;
    }
    this.state = { kind: "body", remaining: bodySize, padding: bodyPadding, sink };
    return void 0;
  }
  meta(flag, body) {
    if (flag === "L") this.longName = cString(body, 0, body.length);
    else if (flag === "K") this.longLink = cString(body, 0, body.length);
    else parsePax(body, flag === "g" ? this.globalPax : this.pax);
  }
};
function isZeroBlock(block) {
  for (let i = 0; i < BLOCK; i++) if (block[i] !== 0) return false;
  return true;
}
function checksumMatches(block) {
  const stored = readNumber(block, 148, 8);
  let unsigned = 0;
  for (let i = 0; i < BLOCK; i++) unsigned += i >= 148 && i < 156 ? 32 : block[i] ?? 0;
  return stored === unsigned;
}
function cString(buf, start, length) {
  const end = buf.indexOf(0, start);
  return buf.toString("utf8", start, end === -1 || end > start + length ? start + length : end);
}
function readNumber(buf, start, length) {
  const first = buf[start] ?? 0;
  if (first & 128) {
    let value = first & 127;
    for (let i = start + 1; i < start + length; i++) value = value * 256 + (buf[i] ?? 0);
    return value;
  }
  const text2 = buf.toString("latin1", start, start + length).replace(/\0.*$/s, "").trim();
  return text2 === "" ? 0 : parseInt(text2, 8);
}
function parsePax(body, into) {
  let offset = 0;
  while (offset < body.length) {
    const space = body.indexOf(32, offset);
    if (space === -1) return;
    const length = Number(body.toString("latin1", offset, space));
    if (!Number.isInteger(length) || length <= 0 || offset + length > body.length) return;
    const record = body.toString("utf8", space + 1, offset + length - 1);
    const eq = record.indexOf("=");
    if (eq > 0) into.set(record.slice(0, eq), record.slice(eq + 1));
    offset += length;
  }
}

// src/hygiene/archive.ts
var SNIFF_BYTES = 512;
var MAX_JSON = 16 * 1024 * 1024;
async function readImageArchive(stream, layerVisitor) {
  const jsonBlobs = /* @__PURE__ */ new Map();
  const layerKeys = /* @__PURE__ */ new Set();
  const links = /* @__PURE__ */ new Map();
  let compressedLayers = 0;
  let innerEntries = 0;
  const outer = new TarReader((entry2) => {
    if (entry2.type === "symlink" || entry2.type === "hardlink") {
      links.set(entry2.path, entry2.type === "symlink" ? joinRelative(entry2.path, entry2.linkPath) : entry2.linkPath);
      return void 0;
    }
    if (entry2.type !== "file") return void 0;
    return new BlobSink(entry2.path, {
      json: (body) => jsonBlobs.set(entry2.path, body),
      layer: (compression) => {
        layerKeys.add(entry2.path);
        if (compression !== "none") compressedLayers++;
        const { visitor, done } = layerVisitor(entry2.path);
        const inner = new TarReader(visitor);
        return {
          reader: inner,
          done: () => {
            innerEntries += inner.entries;
            done();
          }
        };
      }
    });
  });
  let bytesRead = 0;
  for await (const chunk of stream) {
    const buf = typeof chunk === "string" ? Buffer.from(chunk) : chunk;
    bytesRead += buf.length;
    const r = outer.push(buf);
    if (r) await r;
  }
  outer.end();
  const resolve = (key) => {
    let k = key.replace(/^\.\//, "");
    for (let hops = 0; links.has(k) && hops < 8; hops++) k = links.get(k) ?? k;
    return k;
  };
  const manifest = parseJson(jsonBlobs.get("manifest.json"));
  const entry = manifest?.[0];
  if (!entry?.Layers || !entry.Config) {
    throw new Error("the image archive has no manifest.json naming its config and layers");
  }
  const layers = entry.Layers.map(resolve);
  const missing = layers.filter((k) => !layerKeys.has(k));
  if (missing.length > 0) throw new Error(`the image archive lacks ${missing.length} of its layers (${missing[0]})`);
  const config = parseJson(jsonBlobs.get(resolve(entry.Config)));
  const attestations = [];
  for (const body of jsonBlobs.values()) {
    if (body.subarray(0, 64).includes('"_type"')) {
      const statement = parseJson(body);
      if (statement?._type?.startsWith("https://in-toto.io/")) attestations.push(statement);
    }
  }
  return { layers, config, attestations, bytesRead, entries: innerEntries, compressedLayers };
}
var BlobSink = class {
  head = [];
  headLength = 0;
  mode = "sniff";
  json = [];
  jsonLength = 0;
  tar;
  decompressor;
  failure;
  finished = Promise.resolve();
  path;
  routes;
  constructor(path33, routes) {
    this.path = path33;
    this.routes = routes;
  }
  data(chunk) {
    if (this.mode === "sniff") {
      this.head.push(chunk);
      this.headLength += chunk.length;
      if (this.headLength < SNIFF_BYTES) return void 0;
      const head = Buffer.concat(this.head);
      this.head = [];
      this.decide(head);
      return this.route(head);
    }
    return this.route(chunk);
  }
  async end() {
    if (this.mode === "sniff") {
      const head = Buffer.concat(this.head);
      this.head = [];
      if (head.length === 0) return;
      this.decide(head);
      const r = this.route(head);
      if (r) await r;
    }
    if (this.mode === "json") {
      this.routes.json(Buffer.concat(this.json));
    } else if (this.mode === "tar" && this.tar) {
      this.finishTar();
    } else if (this.mode === "decompress" && this.decompressor) {
      this.decompressor.end();
      await this.finished;
      this.finishTar();
    }
  }
  finishTar() {
    if (!this.tar) return;
    if (this.failure) throw this.failure;
    this.tar.reader.end();
    this.tar.done();
  }
  decide(head) {
    if (head[0] === 31 && head[1] === 139) this.startDecompress("gzip");
    else if (head[0] === 40 && head[1] === 181 && head[2] === 47 && head[3] === 253) this.startDecompress("zstd");
    else if (looksLikeTar(head)) {
      this.mode = "tar";
      this.tar = this.routes.layer("none");
    } else if (head[0] === 123 || head[0] === 91) this.mode = "json";
    else this.mode = "skip";
  }
  startDecompress(kind) {
    let d;
    const options = { chunkSize: 256 * 1024, highWaterMark: 4 * 1024 * 1024 };
    if (kind === "gzip") d = zlib.createGunzip(options);
    else if (typeof zlib.createZstdDecompress === "function") d = zlib.createZstdDecompress(options);
    else throw new Error(`${this.path} is a zstd-compressed layer and this Node.js cannot decompress zstd`);
    this.mode = "decompress";
    this.decompressor = d;
    this.tar = this.routes.layer(kind);
    const reader = this.tar.reader;
    d.on("data", (out) => {
      if (this.failure) return;
      try {
        void reader.push(out);
      } catch (err) {
        this.failure = err instanceof Error ? err : new Error(String(err));
      }
    });
    this.finished = new Promise((resolve, reject) => {
      d.once("end", resolve);
      d.once("error", (err) => reject(new TarFormatError(`${this.path}: ${err.message}`)));
    });
    this.finished.catch(() => void 0);
  }
  route(chunk) {
    if (this.failure) throw this.failure;
    switch (this.mode) {
      case "json":
        if (this.jsonLength + chunk.length > MAX_JSON) {
          this.mode = "skip";
          this.json = [];
          return void 0;
        }
        this.json.push(Buffer.from(chunk));
        this.jsonLength += chunk.length;
        return void 0;
      case "tar":
        return this.tar?.reader.push(chunk);
      case "decompress": {
        const d = this.decompressor;
        if (!d || d.write(chunk)) return void 0;
        return Promise.race([
          once(d, "drain").then(
            () => void 0,
            () => void 0
          ),
          this.finished
        ]).then(() => {
          if (this.failure) throw this.failure;
        });
      }
      default:
        return void 0;
    }
  }
};
function looksLikeTar(head) {
  const magic = head.toString("latin1", 257, 262);
  if (magic === "ustar") return true;
  if (head.length >= 512 && head.subarray(0, 512).every((b) => b === 0)) return true;
  return false;
}
function joinRelative(from, target) {
  if (target.startsWith("/")) return target.slice(1);
  const parts = from.split("/").slice(0, -1);
  for (const p of target.split("/")) {
    if (p === "..") parts.pop();
    else if (p !== "." && p !== "") parts.push(p);
  }
  return parts.join("/");
}
function parseJson(body) {
  if (!body) return void 0;
  try {
    return JSON.parse(body.toString("utf8"));
  } catch {
    return void 0;
  }
}

// src/hygiene/layer.ts
import { createHash as createHash3 } from "node:crypto";
import { once as once2 } from "node:events";
import zlib2 from "node:zlib";
function emptyFacts() {
  return {
    files: 0,
    bytes: 0,
    secretFiles: [],
    secretValues: [],
    lookalikes: [],
    gitDirectories: {},
    caches: {},
    compilers: {},
    deletes: [],
    sizes: {},
    privileged: [],
    worldWritable: [],
    passwd: null,
    group: null,
    shadowEmpty: null
  };
}
var ACCOUNT_FILES = /* @__PURE__ */ new Set(["/etc/passwd", "/etc/group", "/etc/shadow"]);
var MAX_ACCOUNT_FILE = 4 * 1024 * 1024;
var MAX_LISTED = 200;
function searchesValues(path33) {
  if (isThirdPartyPath(path33)) return false;
  if (/^\/usr\/(?!local\/|src\/)/.test(path33) || /^\/(?:lib|lib32|lib64|libx32|bin|sbin|boot|proc|sys|dev)\//.test(path33)) return false;
  if (/^\/usr\/local\/(?:lib|include|share|bin\/python)/.test(path33)) return false;
  if (/^\/var\/(?:lib\/(?:dpkg|apt|ucf|pam|systemd)|cache|log)\//.test(path33)) return false;
  if (/^\/etc\/(?:ssl|ca-certificates|alternatives|ld\.so\.cache)/.test(path33)) return false;
  return !/\.(?:pyc|pyo|so(?:\.\d+)*|a|o|png|jpe?g|gif|webp|ico|woff2?|ttf|otf|gz|zip|xz|bz2|zst|whl|jar|class|mo|db|sqlite3?)$/i.test(path33);
}
function captureText(limit, done) {
  const parts = [];
  let kept = 0;
  let binary = false;
  return {
    data(chunk) {
      if (binary || kept >= limit) return;
      const part = chunk.subarray(0, limit - kept);
      if (part.includes(0)) {
        binary = true;
        parts.length = 0;
        return;
      }
      parts.push(Buffer.from(part));
      kept += part.length;
    },
    end() {
      done(binary ? void 0 : Buffer.concat(parts).toString("utf8"));
    }
  };
}
var LayerCollector = class {
  facts = emptyFacts();
  given;
  constructor(given = []) {
    this.given = given;
  }
  /** What the rules need from one entry; returns a sink when the body matters. */
  visit = (entry) => {
    const facts = this.facts;
    const path33 = imagePath(entry.path);
    const whiteout = whiteoutTarget(path33);
    if (whiteout) {
      facts.deletes.push(whiteout);
      return void 0;
    }
    this.modes(path33, entry);
    if (entry.type === "directory") return void 0;
    facts.files++;
    facts.bytes += entry.size;
    facts.sizes[path33] = entry.size;
    const compiler = compilerOf(path33);
    if (compiler && (entry.type === "file" || entry.type === "symlink" || entry.type === "hardlink")) facts.compilers[compiler] = path33;
    if (entry.type !== "file") return void 0;
    const git2 = gitDirectoryOf(path33);
    if (git2) {
      const t = facts.gitDirectories[git2] ??= { files: 0, bytes: 0 };
      t.files++;
      t.bytes += entry.size;
    }
    const cache = packageCacheOf(path33);
    if (cache) {
      const t = facts.caches[cache] ??= { files: 0, bytes: 0, paths: [] };
      t.files++;
      t.bytes += entry.size;
      t.paths.push(path33);
    }
    if (ACCOUNT_FILES.has(path33)) {
      return captureText(MAX_ACCOUNT_FILE, (body) => this.accountFile(path33, body ?? ""));
    }
    const rule = secretFileRule(path33);
    const values = entry.size > 0 && entry.size <= MAX_SECRET_BODY && searchesValues(path33);
    if (!rule && !values) return void 0;
    if (rule && !rule.content) facts.secretFiles.push({ path: path33, kind: rule.kind, bytes: entry.size });
    return captureText(MAX_SECRET_BODY, (body) => {
      if (body === void 0) return;
      if (rule?.content?.(body)) facts.secretFiles.push({ path: path33, kind: rule.kind, bytes: entry.size });
      if (values && mayHoldSecret(body, this.given)) {
        for (const m of classifySecretValues(body, this.given, 10, path33)) {
          if (m.lookalike) {
            if (facts.lookalikes.length < MAX_LISTED) facts.lookalikes.push({ path: path33, kind: m.kind, line: m.line, reason: m.lookalike });
          } else if (facts.secretValues.length < MAX_LISTED) {
            facts.secretValues.push({ path: path33, kind: m.kind, line: m.line, fingerprint: m.fingerprint, source: m.source ?? null });
          }
        }
      }
    });
  };
  modes(path33, entry) {
    const facts = this.facts;
    if (entry.type !== "file" && entry.type !== "directory") return;
    const type = entry.type;
    if (type === "file" && entry.mode & 3072 && facts.privileged.length < MAX_LISTED) facts.privileged.push({ path: path33, mode: entry.mode, type });
    const writable = (entry.mode & 2) !== 0;
    const sticky = (entry.mode & 512) !== 0;
    if (writable && !(type === "directory" && sticky) && !/^\/(?:var\/)?tmp(?:\/|$)/.test(path33) && facts.worldWritable.length < MAX_LISTED) {
      facts.worldWritable.push({ path: path33, mode: entry.mode, type });
    }
  }
  accountFile(path33, body) {
    if (path33 === "/etc/passwd") this.facts.passwd = body;
    else if (path33 === "/etc/group") this.facts.group = body;
    else this.facts.shadowEmpty = emptyPasswordAccounts(body);
  }
};
function emptyPasswordAccounts(shadow) {
  const out = [];
  for (const line of shadow.split("\n")) {
    const fields = line.split(":");
    if (fields.length >= 2 && fields[0] && fields[1] === "") out.push(fields[0]);
  }
  return out;
}
var LayerStreamScanner = class {
  collector;
  reader;
  hash = createHash3("sha256");
  head = [];
  headLength = 0;
  decompressor;
  finished = Promise.resolve();
  decided = false;
  failure;
  bytesRead = 0;
  constructor(given = []) {
    this.collector = new LayerCollector(given);
    this.reader = new TarReader(this.collector.visit);
  }
  async push(chunk) {
    this.bytesRead += chunk.length;
    if (!this.decided) {
      this.head.push(chunk);
      this.headLength += chunk.length;
      if (this.headLength < 4) return;
      const head = Buffer.concat(this.head);
      this.head = [];
      this.decide(head);
      return this.route(head);
    }
    return this.route(chunk);
  }
  async end() {
    if (!this.decided) {
      const head = Buffer.concat(this.head);
      this.head = [];
      this.decide(head);
      await this.route(head);
    }
    if (this.decompressor) {
      this.decompressor.end();
      await this.finished;
    }
    if (this.failure) throw this.failure;
    this.reader.end();
    return { diffId: `sha256:${this.hash.digest("hex")}`, facts: this.collector.facts, bytesRead: this.bytesRead, entries: this.reader.entries };
  }
  decide(head) {
    this.decided = true;
    const options = { chunkSize: 256 * 1024 };
    if (head[0] === 31 && head[1] === 139) this.decompressor = zlib2.createGunzip(options);
    else if (head[0] === 40 && head[1] === 181 && head[2] === 47 && head[3] === 253) {
      if (typeof zlib2.createZstdDecompress !== "function") throw new TarFormatError("a zstd-compressed layer, and this Node.js cannot decompress zstd");
      this.decompressor = zlib2.createZstdDecompress(options);
    }
    const d = this.decompressor;
    if (!d) return;
    d.on("data", (out) => this.tar(out));
    this.finished = new Promise((resolve, reject) => {
      d.once("end", resolve);
      d.once("error", (err) => reject(new TarFormatError(`layer blob: ${err.message}`)));
    });
    this.finished.catch(() => void 0);
  }
  tar(out) {
    if (this.failure) return;
    this.hash.update(out);
    try {
      void this.reader.push(out);
    } catch (err) {
      this.failure = err instanceof Error ? err : new Error(String(err));
    }
  }
  async route(chunk) {
    if (this.failure) throw this.failure;
    const d = this.decompressor;
    if (!d) {
      this.tar(chunk);
      return;
    }
    if (!d.write(chunk))
      await Promise.race([
        once2(d, "drain").then(
          () => void 0,
          () => void 0
        ),
        this.finished
      ]);
    const failure = this.failure;
    if (failure) throw failure;
  }
};

// src/hygiene/scan.ts
async function scanImage(docker2, image, given = []) {
  const started = Date.now();
  const byKey = /* @__PURE__ */ new Map();
  const stream = await docker2.getImage(image).get();
  const archive = await readImageArchive(stream, (key) => {
    const collector = new LayerCollector(given);
    byKey.set(key, collector.facts);
    return { visitor: collector.visit, done: () => void 0 };
  });
  return {
    layers: archive.layers.map((k) => byKey.get(k) ?? emptyFacts()),
    config: archive.config,
    attestations: archive.attestations,
    bytesRead: archive.bytesRead,
    entries: archive.entries,
    durationMs: Date.now() - started
  };
}
function writes(layer, path33) {
  return Object.hasOwn(layer.sizes, path33);
}
function hider(layer) {
  if (layer.deletes.length === 0) return () => false;
  const paths = new Set(layer.deletes.filter((d) => d.kind === "path").map((d) => d.target));
  const opaque = new Set(layer.deletes.filter((d) => d.kind === "opaque").map((d) => d.target));
  return (path33) => {
    if (paths.has("/") || paths.has(path33) || opaque.has("/") && path33 !== "/") return true;
    for (let at = path33.indexOf("/"); at >= 0; at = path33.indexOf("/", at + 1)) {
      const above = path33.slice(0, at);
      if (paths.has(above) || opaque.has(above)) return true;
    }
    return false;
  };
}
function hides(layer, path33) {
  return layer.deletes.some((d) => d.kind === "path" ? isUnder(path33, d.target) : path33 !== d.target && isUnder(path33, d.target));
}
function deletedBy(layers, index, path33) {
  let deleted;
  for (let j = index + 1; j < layers.length; j++) {
    const layer = layers[j];
    if (!layer) continue;
    if (deleted === void 0) {
      if (hides(layer, path33)) deleted = j;
    } else if (writes(layer, path33)) {
      deleted = void 0;
    }
  }
  return deleted;
}
function allDeletedBy(layers, index, paths) {
  let last;
  for (const p of paths) {
    const j = deletedBy(layers, index, p);
    if (j === void 0) return void 0;
    last = last === void 0 ? j : Math.max(last, j);
  }
  return last;
}
function visibleAtTop(layers, index, path33) {
  return deletedBy(layers, index, path33) === void 0;
}
function finalWriter(layers, path33, has) {
  for (let i = layers.length - 1; i >= 0; i--) {
    const layer = layers[i];
    if (!layer) continue;
    if (hides(layer, path33) && !has(layer)) return void 0;
    if (has(layer)) return visibleAtTop(layers, i, path33) ? i : void 0;
  }
  return void 0;
}
function finalAccountFile(layers, which) {
  const i = finalWriter(layers, `/etc/${which}`, (l) => (which === "passwd" ? l.passwd : l.group) !== null);
  if (i === void 0) return void 0;
  const layer = layers[i];
  return (which === "passwd" ? layer?.passwd : layer?.group) ?? void 0;
}
function finalShadowEmpty(layers) {
  const i = finalWriter(layers, "/etc/shadow", (l) => l.shadowEmpty !== null);
  if (i === void 0) return void 0;
  const accounts = layers[i]?.shadowEmpty ?? [];
  return accounts.length ? { layer: i, accounts } : void 0;
}
function wastedByLayer(layers) {
  const covers = layers.map((layer) => ({ layer, hides: hider(layer) }));
  return layers.map((layer, i) => {
    let bytes = 0;
    let files = 0;
    const above = covers.slice(i + 1);
    if (above.length === 0) return { bytes, files };
    for (const [path33, size] of Object.entries(layer.sizes)) {
      if (above.some((l) => writes(l.layer, path33) || l.hides(path33))) {
        bytes += size;
        files++;
      }
    }
    return { bytes, files };
  });
}
function shownAtTop(layers, index, path33) {
  for (let j = index + 1; j < layers.length; j++) {
    const layer = layers[j];
    if (!layer) continue;
    if (writes(layer, path33) || hides(layer, path33)) return false;
  }
  return true;
}

// src/hygiene/rules/layers.ts
function layerFindings({ layers, refs, multiStage }) {
  const scope = { layers, names: layerNames(refs, layers.length) };
  const note = lookalikeNote(scope);
  return [
    ...secretFileFindings(scope),
    ...secretValueFindings(scope),
    ...note ? [note] : [],
    ...gitDirectoryFindings(scope),
    ...packageCacheFindings(scope),
    ...multiStage ? compilerFindings(scope) : []
  ];
}
function secretFileFindings({ layers, names }) {
  const secretPaths = /* @__PURE__ */ new Map();
  layers.forEach((layer, i) => {
    for (const f of layer.secretFiles) {
      const seen = secretPaths.get(f.path) ?? { kind: f.kind, layers: [], bytes: f.bytes };
      if (!seen.layers.includes(i)) seen.layers.push(i);
      secretPaths.set(f.path, seen);
    }
  });
  return [...secretPaths].map(([filePath, found]) => {
    const first = found.layers[0] ?? 0;
    const label = SECRET_FILE_LABELS[found.kind];
    const gone = deletedBy(layers, found.layers.at(-1) ?? first, filePath);
    const evidence2 = found.layers.map((i) => `in ${names.where(i)}`);
    if (gone !== void 0) evidence2.push(`deleted by ${names.where(gone)}; anyone who pulls the image can still read it from the earlier layer`);
    return {
      id: "secret-file",
      message: `${filePath} (${label}) is in ${names.where(first)}${gone !== void 0 ? `; ${names.short(gone)} deletes it, but the earlier layer still ships it` : ""}`,
      line: names.ref(first).line,
      layer: names.ref(first),
      path: filePath,
      evidence: evidence2,
      fix: names.ref(first).fromBase ? BASE_SECRET_FIX : secretFileFix(filePath, gone !== void 0)
    };
  });
}
function secretValueFindings({ layers, names }) {
  const valueHits = /* @__PURE__ */ new Map();
  layers.forEach((layer, i) => {
    for (const v of layer.secretValues) {
      const key = `${v.path}\0${v.kind}\0${v.source ?? ""}`;
      const hit = valueHits.get(key) ?? { path: v.path, kind: v.kind, layers: [], lines: /* @__PURE__ */ new Set(), fingerprints: /* @__PURE__ */ new Set(), source: v.source };
      if (!hit.layers.includes(i)) hit.layers.push(i);
      hit.lines.add(v.line);
      hit.fingerprints.add(v.fingerprint);
      valueHits.set(key, hit);
    }
  });
  return [...valueHits.values()].map((hit) => {
    const first = hit.layers[0] ?? 0;
    const what = hit.kind === "given-secret" ? `the value of ${hit.source ?? "a given secret"}` : withArticle(VALUE_KIND_LABELS[hit.kind]);
    const lines = [...hit.lines].sort((a, b) => a - b);
    return {
      id: "secret-value",
      message: `${hit.path} holds ${what} (line ${lines.slice(0, 5).join(", ")}${lines.length > 5 ? ", ..." : ""}) in ${names.where(first)}${valueFate({ layers, names }, hit)}`,
      line: names.ref(first).line,
      layer: names.ref(first),
      path: hit.path,
      evidence: [...[...hit.fingerprints].map((f) => `fingerprint ${f}`), ...hit.layers.map((i) => `in ${names.where(i)}`)],
      fingerprint: [...hit.fingerprints][0] ?? "",
      fix: names.ref(first).fromBase ? BASE_SECRET_FIX : valueFix(hit.kind, hit.source)
    };
  });
}
function valueFate({ layers, names }, hit) {
  const last = hit.layers.at(-1) ?? hit.layers[0] ?? 0;
  if (shownAtTop(layers, last, hit.path)) return "";
  const gone = deletedBy(layers, last, hit.path) ?? -1;
  return gone >= 0 ? `; ${names.short(gone)} deletes it, but the earlier layer still ships it` : "; a later layer replaces the file, but the earlier layer still ships it";
}
function secretFileFix(filePath, deletedLater) {
  const name = filePath.slice(filePath.lastIndexOf("/") + 1);
  const deleted = deletedLater ? "deleting it in a later layer does not remove it; " : "";
  return `${deleted}exclude ${name} from the build context in .dockerignore (or COPY only what the app needs, or copy from a build stage with COPY --from), pass credentials as build secrets (RUN --mount=type=secret) and rotate what was exposed`;
}
function valueFix(kind, source) {
  if (kind === "given-secret" && source?.startsWith("build secret")) {
    return "a RUN step wrote the build secret into a file: use it only inside the RUN that mounts it (RUN --mount=type=secret) and never copy it to the filesystem; rotate it";
  }
  return "remove the value from the source and the image (.dockerignore, or a multi-stage build that copies only what runs), read it from an environment variable at run time, and rotate the exposed key";
}
function lookalikeNote({ layers, names }) {
  const byPath = /* @__PURE__ */ new Map();
  let count = 0;
  layers.forEach((layer, i) => {
    for (const l of layer.lookalikes) {
      const seen = byPath.get(l.path) ?? { layer: i, lines: /* @__PURE__ */ new Set(), what: /* @__PURE__ */ new Set() };
      seen.lines.add(l.line);
      seen.what.add(`${withArticle(VALUE_KIND_LABELS[l.kind])}, ${LOOKALIKE_LABELS[l.reason]}`);
      byPath.set(l.path, seen);
      count++;
    }
  });
  const [first] = byPath.entries();
  if (!first) return void 0;
  const files = byPath.size;
  const evidence2 = [...byPath].slice(0, 20).map(
    ([p, s]) => `${p} (line ${[...s.lines].sort((a, b) => a - b).slice(0, 5).join(", ")}): ${[...s.what].join("; ")}`
  );
  if (files > 20) evidence2.push(`and ${files - 20} more file${files > 21 ? "s" : ""}`);
  return {
    id: "placeholder-credentials",
    message: `${count} credential-shaped value${count > 1 ? "s" : ""} in ${files} file${files > 1 ? "s" : ""} ${count > 1 ? "are" : "is"} not counted as secrets: placeholders, trivial passwords for local hosts, or documentation, example, test and CI files`,
    line: names.ref(first[1].layer).line,
    layer: names.ref(first[1].layer),
    path: first[0],
    evidence: evidence2
  };
}
function gitDirectoryFindings({ layers, names }) {
  const gitDirs = /* @__PURE__ */ new Map();
  layers.forEach((layer, i) => {
    for (const [dir, t] of Object.entries(layer.gitDirectories)) {
      const g = gitDirs.get(dir) ?? { layers: [], files: 0, bytes: 0 };
      g.layers.push(i);
      g.files += t.files;
      g.bytes += t.bytes;
      gitDirs.set(dir, g);
    }
  });
  return [...gitDirs].map(([dir, g]) => {
    const first = g.layers[0] ?? 0;
    return {
      id: "git-directory",
      message: `${dir} (the repository's history, ${g.files} files, ${formatBytes2(g.bytes)}) is in ${names.where(first)}; exclude .git in .dockerignore`,
      line: names.ref(first).line,
      layer: names.ref(first),
      path: dir,
      evidence: g.layers.map((i) => `in ${names.where(i)}`)
    };
  });
}
function packageCacheFindings({ layers, names }) {
  const caches = /* @__PURE__ */ new Map();
  layers.forEach((layer, i) => {
    for (const [found, t] of Object.entries(layer.caches)) {
      const root = cacheRoot(found, layers);
      const c = caches.get(root) ?? { layers: [] };
      c.layers.push({ index: i, ...t });
      caches.set(root, c);
    }
  });
  return [...caches].map(([root, c]) => {
    const bytes = c.layers.reduce((s, l) => s + l.bytes, 0);
    const first = c.layers[0]?.index ?? 0;
    let deletedLater = false;
    const evidence2 = c.layers.map((l) => {
      const gone = allDeletedBy(layers, l.index, l.paths);
      if (gone !== void 0) deletedLater = true;
      return `${formatBytes2(l.bytes)} (${l.files} files) in ${names.where(l.index)}${gone !== void 0 ? `; deleted by ${names.where(gone)}, but the bytes still ship in the earlier layer` : ""}`;
    });
    return {
      id: "package-cache",
      message: `Package cache ${root} is left in the image: ${formatBytes2(bytes)}, from ${names.where(first)}${deletedLater ? " (a later layer deletes it, which does not shrink the image)" : ""}; ${names.ref(first).fromBase ? "it comes with the base image: use a slimmer or newer base image, or one that cleans its package caches" : packageCacheAdvice(root)}`,
      line: names.ref(first).line,
      layer: names.ref(first),
      path: root,
      evidence: evidence2
    };
  });
}
function cacheRoot(root, layers) {
  let best = root;
  for (const layer of layers) for (const other of Object.keys(layer.caches)) if (other.length < best.length && isUnder(root, other)) best = other;
  return best;
}
function compilerFindings({ layers, names }) {
  const found = /* @__PURE__ */ new Map();
  layers.forEach((layer, i) => {
    for (const [name, p] of Object.entries(layer.compilers)) if (visibleAtTop(layers, i, p)) found.set(name, { path: p, layer: i });
  });
  if (found.size === 0) return [];
  const firstLayer = Math.min(...[...found.values()].map((f) => f.layer));
  return [
    {
      id: "compiler-in-final-stage",
      message: `Build tools reached the final stage of this multi-stage build (${[...found.keys()].sort().join(", ")}, from ${names.where(firstLayer)}); install them in a build stage and COPY --from only what runs`,
      line: names.ref(firstLayer).line,
      layer: names.ref(firstLayer),
      path: [...found.values()].find((f) => f.layer === firstLayer)?.path ?? null,
      evidence: [...found.entries()].map(([name, f]) => `${name}: ${f.path} in ${names.where(f.layer)}`)
    }
  ];
}

// src/hygiene/rules/permissions.ts
function permissionFindings({ layers, refs, nonRoot }) {
  const names = layerNames(refs, layers.length);
  const shadow = emptyPasswordFinding(layers, names);
  return [
    ...setuidFindings(
      collect(layers, names, (l) => l.privileged),
      names,
      nonRoot
    ),
    ...worldWritableFindings(
      collect(layers, names, (l) => l.worldWritable),
      names
    ),
    ...shadow ? [shadow] : []
  ];
}
function collect(layers, names, pick2) {
  const base = [];
  const own2 = [];
  layers.forEach((layer, i) => {
    for (const fact of pick2(layer)) {
      if (!shownAtTop(layers, i, fact.path) && fact.type === "file") continue;
      (names.ref(i).fromBase ? base : own2).push({ fact, layer: i });
    }
  });
  return { base, own: own2 };
}
function placement(items, names) {
  const first = items[0];
  return {
    line: first ? names.ref(first.layer).line : null,
    layer: first ? names.ref(first.layer) : null,
    path: first?.fact.path ?? null,
    evidence: items.slice(0, 10).map(({ fact, layer }) => `${fact.path} (mode ${(fact.mode & 4095).toString(8).padStart(4, "0")}) in ${names.where(layer)}`)
  };
}
function firstPaths(items) {
  return `${items.slice(0, 3).map((p) => p.fact.path).join(", ")}${items.length > 3 ? ", ..." : ""}`;
}
function setuidFindings(privileged, names, nonRoot) {
  const drafts = [];
  const risk = nonRoot ? "a process running as the image's non-root user can use them to become root or another user" : "they matter once the image runs as a non-root user";
  const { own: own2, base } = privileged;
  if (own2.length) {
    drafts.push({
      id: "setuid-file",
      message: `${own2.length} setuid/setgid file${own2.length > 1 ? "s" : ""} added by the Dockerfile (${firstPaths(own2)}): ${risk}`,
      ...placement(own2, names),
      fix: "remove the bits in the same RUN that installs them (chmod u-s,g-s FILE), or do not install the tool in the final stage"
    });
  }
  if (base.length) {
    drafts.push({
      id: "setuid-file",
      severity: "info",
      message: `The base image ships ${base.length} setuid/setgid file${base.length > 1 ? "s" : ""} (${firstPaths(base)}), as most distribution images do`,
      ...placement(base, names),
      fix: "if the app never needs them: RUN find / -xdev -perm /6000 -type f -exec chmod a-s {} + in the final stage, or use a distroless base image"
    });
  }
  return drafts;
}
function worldWritableFindings(writable, names) {
  const drafts = [];
  for (const [items, fromBase] of [
    [writable.own, false],
    [writable.base, true]
  ]) {
    if (!items.length) continue;
    drafts.push({
      id: "world-writable",
      severity: fromBase ? "info" : void 0,
      message: `${items.length} world-writable path${items.length > 1 ? "s" : ""} outside /tmp ${fromBase ? "in the base image" : "added by the Dockerfile"} (${firstPaths(items)}): any process in the container can change ${items.length > 1 ? "them" : "it"}`,
      ...placement(items, names),
      fix: fromBase ? "chmod o-w the paths in the final stage, or use another base image" : "give the files to the app's user (COPY --chown=app, chmod 755/644) instead of chmod 777"
    });
  }
  return drafts;
}
function emptyPasswordFinding(layers, names) {
  const shadow = finalShadowEmpty(layers);
  if (!shadow) return void 0;
  const { accounts } = shadow;
  return {
    id: "empty-password",
    message: `${accounts.slice(0, 5).join(", ")} ${accounts.length > 1 ? "have" : "has"} an empty password in /etc/shadow (from ${names.where(shadow.layer)}): anyone in the container can log in as ${accounts.length > 1 ? "them" : "it"}, e.g. with su`,
    line: names.ref(shadow.layer).line,
    layer: names.ref(shadow.layer),
    path: "/etc/shadow",
    evidence: [`accounts: ${accounts.join(", ")}`],
    fix: "lock the account instead of clearing its password: passwd -l NAME (or usermod -p '*' NAME)"
  };
}

// src/hygiene/rules/secrets.ts
var MIN_PARSED_SECRET = 6;
function secretRecordFindings(facts) {
  const configEnv = new Map(facts.env.map((entry) => [splitEnv(entry).name, splitEnv(entry).value]));
  const scan = { facts, configEnv, reported: /* @__PURE__ */ new Set(), drafts: [], masks: [] };
  configEnvFindings(scan);
  facts.history.forEach((entry, h) => {
    const by = entry.created_by ?? "";
    if (/^(?:ENV|ARG)\s/.test(by)) {
      historyEnvFindings(scan, by, h);
      return;
    }
    const parsed2 = parseHistoryBuildArgs(by);
    historyBuildArgFindings(scan, parsed2?.args ?? [], h);
    historyCommandFindings(scan, parsed2 ? parsed2.command : by, h);
  });
  provenanceFindings(scan);
  return { drafts: scan.drafts, masks: scan.masks };
}
function once3(scan, key) {
  if (scan.reported.has(key)) return true;
  scan.reported.add(key);
  return false;
}
function maskParsed(scan, name, value) {
  if (value.length >= MIN_PARSED_SECRET && !(scan.configEnv.get(name) ?? "").startsWith(value)) scan.masks.push(value);
}
function fingerprintEvidence(verdict) {
  return verdict.fingerprint ? [`fingerprint ${verdict.fingerprint}`] : [];
}
function envLine({ history, origins, chain }, name) {
  for (let h = history.length - 1; h >= 0; h--) {
    const by = history[h]?.created_by ?? "";
    if (/^ENV\s/.test(by) && parseEnvInstruction(by).some((e) => e.name === name)) {
      return { line: origins[h]?.line ?? null, fromBase: origins[h]?.fromBase ?? false };
    }
  }
  const line = lastInstructionLine(chain, "ENV", (text2) => parseEnvInstruction(text2).some((e) => e.name === name));
  return { line: line ?? null, fromBase: line === void 0 };
}
function configEnvFindings(scan) {
  const { facts } = scan;
  for (const [name, value] of scan.configEnv) {
    const verdict = judgeValue(name, value, facts.given);
    if (!verdict) continue;
    scan.masks.push(value);
    const at = envLine(facts, name);
    scan.reported.add(`ENV ${name}`);
    scan.drafts.push({
      id: "secret-env",
      message: `ENV ${name} carries ${verdict.what} baked into the image config${at.fromBase ? " (inherited from the base image)" : ""}`,
      line: at.line,
      layer: at.fromBase ? facts.baseTop : null,
      evidence: ["the value is readable by anyone who pulls the image (docker inspect)", ...fingerprintEvidence(verdict)],
      fingerprint: verdict.fingerprint,
      fix: at.fromBase ? BASE_SECRET_FIX : `remove ENV ${name} from the Dockerfile and set it at run time (Railway service variables); rotate the exposed value`
    });
  }
}
function historyEnvFindings(scan, by, h) {
  const origin = scan.facts.origins[h];
  const fromBase = origin?.fromBase ?? false;
  const keyword = by.startsWith("ARG") ? "ARG" : "ENV";
  for (const { name, value } of parseEnvInstruction(by)) {
    const verdict = judgeValue(name, value, scan.facts.given);
    if (!verdict) continue;
    maskParsed(scan, name, value);
    if (once3(scan, `${keyword} ${name}`)) continue;
    scan.drafts.push({
      id: "secret-env",
      message: keyword === "ARG" ? `ARG ${name} has a default value that is ${verdict.what}, recorded in the image history` : `ENV ${name} once carried ${verdict.what}: it was overridden, but the image history still records it`,
      line: origin?.line ?? null,
      layer: fromBase ? scan.facts.baseTop : null,
      evidence: ["readable with docker history --no-trunc", ...fingerprintEvidence(verdict)],
      fingerprint: verdict.fingerprint,
      fix: fromBase ? BASE_SECRET_FIX : `give ARG/ENV ${name} no secret default; pass secrets with RUN --mount=type=secret (build-secrets) and rotate the exposed value`
    });
  }
}
function historyBuildArgFindings(scan, args, h) {
  const { facts } = scan;
  const origin = facts.origins[h];
  for (const { name, value } of args) {
    const verdict = judgeValue(name, value, facts.given);
    if (!verdict) continue;
    maskParsed(scan, name, value);
    if (once3(scan, `RUN ${name} ${origin?.line ?? h}`)) continue;
    scan.drafts.push({
      id: "secret-build-arg",
      message: `Build argument ${name} leaked into the image history through the RUN that uses it (${verdict.what})`,
      line: origin?.line ?? null,
      layer: facts.historyLayers[h] ?? null,
      evidence: [
        `history entry ${h + 1} of ${facts.history.length} records ${name}=<value> (docker history --no-trunc shows it)`,
        ...fingerprintEvidence(verdict)
      ],
      fingerprint: verdict.fingerprint,
      fix: `pass it as a build secret (build-secrets, RUN --mount=type=secret,id=${name}) instead of a build argument, and rotate the exposed value`
    });
  }
}
function historyCommandFindings(scan, command, h) {
  const { facts } = scan;
  if (!command || !mayHoldSecret(command, facts.given)) return;
  const origin = facts.origins[h];
  const fromBase = origin?.fromBase ?? false;
  for (const m of findSecretValues(command, facts.given, 5)) {
    if (m.secret.length >= MIN_PARSED_SECRET) scan.masks.push(m.secret);
    if (once3(scan, `CMD ${h} ${m.kind} ${m.fingerprint}`)) continue;
    const what = m.kind === "given-secret" ? `the value of ${m.source ?? "a given secret"}` : withArticle(VALUE_KIND_LABELS[m.kind]);
    scan.drafts.push({
      id: "secret-in-history",
      message: `A command recorded in the image history holds ${what}${fromBase ? " (in the base image)" : ""}`,
      line: origin?.line ?? null,
      layer: facts.historyLayers[h] ?? (fromBase ? facts.baseTop : null),
      evidence: [`history entry ${h + 1} of ${facts.history.length} (docker history --no-trunc shows it)`, `fingerprint ${m.fingerprint}`],
      fingerprint: m.fingerprint,
      fix: fromBase ? BASE_SECRET_FIX : "never write a secret into a RUN line: mount it with RUN --mount=type=secret (build-secrets) and read it from /run/secrets; rotate the exposed value"
    });
  }
}
function provenanceFindings(scan) {
  const { facts } = scan;
  for (const statement of facts.attestations) {
    for (const [key, value] of Object.entries(provenanceArgs(statement))) {
      const name = key.replace(/^build-arg:/, "");
      if (!key.startsWith("build-arg:")) continue;
      const verdict = judgeValue(name, value, facts.given);
      if (!verdict) continue;
      scan.masks.push(value);
      scan.drafts.push({
        id: "secret-build-arg",
        message: `Build argument ${name} (${verdict.what}) is recorded in the image's provenance attestation`,
        line: lastInstructionLine(facts.chain, "ARG", (text2) => parseEnvInstruction(text2).some((e) => e.name === name)) ?? null,
        evidence: ["stored next to the image as an in-toto provenance statement (invocation.parameters.args)", ...fingerprintEvidence(verdict)],
        fingerprint: verdict.fingerprint,
        fix: `pass it as a build secret (build-secrets, RUN --mount=type=secret,id=${name}) instead of a build argument, and rotate the exposed value`
      });
    }
  }
}
function provenanceArgs(statement) {
  const args = statement.predicate?.invocation?.parameters?.args;
  if (!args || typeof args !== "object") return {};
  const out = {};
  for (const [k, v] of Object.entries(args)) if (typeof v === "string") out[k] = v;
  return out;
}
function judgeValue(name, value, given) {
  const v = value.trim();
  if (v === "" || isFlagValue(v)) return void 0;
  if (mayHoldSecret(v, given)) {
    const matches = classifySecretValues(v, given, 1);
    const m = matches.find((x) => !x.lookalike);
    if (m && !(isPublicByDesignName(name) && m.kind !== "given-secret")) {
      return {
        what: m.kind === "given-secret" ? `the value of ${m.source ?? "a given secret"}` : withArticle(VALUE_KIND_LABELS[m.kind]),
        fingerprint: m.fingerprint
      };
    }
    if (matches.length > 0) return void 0;
  }
  if (isPublicByDesignName(name)) return void 0;
  const reason = secretValueReason(name, v);
  if (!reason) return void 0;
  return { what: reason === "url-password" ? "a URL with a password" : "a secret-looking value", fingerprint: fingerprint(v, "") };
}

// src/hygiene/rules/user.ts
function hasUidZero({ user, accounts }) {
  return !user.root && !user.numeric && accounts?.passwd !== void 0 && accountUid(accounts.passwd, user.user) === "0";
}
function userFindings(facts) {
  const drafts = [];
  const root = rootFinding(facts);
  if (root) drafts.push(root);
  if (facts.accounts && !facts.user.root) drafts.push(...unknownAccountFindings(facts.user, facts.accounts, facts.line));
  return drafts;
}
function rootFinding(facts) {
  const { user, configured } = facts;
  const uidZero = hasUidZero(facts);
  if (!user.root && !uidZero) return void 0;
  return {
    id: "root-user",
    message: uidZero ? `The image runs as root: USER ${configured ?? user.user} has uid 0 in the image's /etc/passwd; give that account its own uid (useradd without -o -u 0) or switch to another user` : configured ? `The image runs as root (USER ${configured}); add a non-root user and switch to it with USER` : "The image runs as root: no USER instruction; add a non-root user and switch to it with USER",
    line: facts.line,
    path: uidZero ? "/etc/passwd" : null
  };
}
function accountUid(passwd, name) {
  for (const line of passwd.split("\n")) {
    const fields = line.split(":");
    if (fields[0] === name) return fields[2];
  }
  return void 0;
}
function unknownAccountFindings(user, accounts, line) {
  const drafts = [];
  const { passwd, group } = accounts;
  if (!user.numeric) {
    const known = passwd ? accountNames(passwd).names : /* @__PURE__ */ new Set();
    if (!known.has(user.user)) {
      drafts.push({
        id: "unknown-user",
        message: `USER ${user.user}: no such user in the image's /etc/passwd${passwd ? "" : " (the image has no /etc/passwd)"}; create it (useradd/adduser) before USER, or use a numeric uid`,
        line,
        path: "/etc/passwd"
      });
    }
  }
  if (user.group !== void 0 && !/^\d+$/.test(user.group)) {
    if (!group || !accountNames(group).names.has(user.group)) {
      drafts.push({
        id: "unknown-user",
        message: `USER ${user.user}:${user.group}: no such group in the image's /etc/group; create it before USER, or use a numeric gid`,
        line,
        path: "/etc/group"
      });
    }
  }
  return drafts;
}

// src/hygiene/check.ts
function givenSecrets(config) {
  const out = [];
  for (const s of config.buildSecrets) if (!isFlagValue(s.value)) out.push({ label: `build secret ${s.key}`, value: s.value });
  for (const e of config.env)
    if (!isFlagValue(e.value) && !isPublicByDesignName(e.key) && looksSecret(e.key, e.value)) out.push({ label: `env ${e.key}`, value: e.value });
  return out.filter((g) => g.value.length >= MIN_GIVEN_SECRET);
}
function looksSecret(name, value) {
  if (hasUrlPassword(value)) return secretValueReason(name, value) === "url-password";
  if (isPlaceholder(value)) return false;
  if (isSecretName(name)) return true;
  return value.length >= 12 && !/\s/.test(value) && /[A-Za-z]/.test(value) && /\d/.test(value) && !/^[a-z]+:\/\//i.test(value) && !value.startsWith("/");
}
function skippedHygiene(mode, reason) {
  return { status: "skipped", mode, reason, findings: [], ignored: [], suppressed: 0, user: null, context: null, scan: null };
}
function evaluateHygiene(config, input, context, deps) {
  const { mode, ignore } = config.hygiene;
  const image = imageFacts(config, input);
  const secrets = secretRecordFindings(image.secrets);
  for (const value of secrets.masks) deps.maskSecret(value);
  const drafts = [
    ...contextFindings({ context, sources: copiedSources(config.dockerfileFacts.stages.flatMap((s) => s.instructions)) }),
    ...input.layers ? [] : [scanIncomplete(input.scan)],
    ...userFindings(image.user),
    ...input.layers ? layerFindings({ layers: input.layers, refs: image.refs, multiStage: config.dockerfileFacts.stages.length > 1 }) : [],
    ...input.layers ? permissionFindings({ layers: input.layers, refs: image.refs, nonRoot: !image.user.user.root && !hasUidZero(image.user) }) : [],
    ...secrets.drafts,
    ...healthcheckFindings({ test: input.config?.config?.Healthcheck?.Test, healthPath: config.health.pathSource !== void 0, line: image.finalFromLine })
  ];
  const silenced = new Set(ignore);
  const findings = drafts.filter((d) => !silenced.has(d.id)).map((d) => toFinding(d, mode, config.dockerfile));
  for (const f of findings) annotate(deps.log, f);
  const report = {
    status: "checked",
    mode,
    reason: null,
    findings,
    ignored: [...ignore],
    suppressed: drafts.length - findings.length,
    user: input.config?.config?.User?.trim() || "root",
    context: { bytes: context.bytes, files: context.files, ignoreFile: context.ignoreFile },
    scan: input.scan
  };
  return { report, wasted: input.layers ? wastedSpace(input.layers, image.refs) : null };
}
function scanIncomplete(scan) {
  return { id: "scan-incomplete", message: `Could not read the image layers, so the file checks did not run: ${scan.error ?? "unknown error"}`, line: null };
}
function imageFacts(config, input) {
  const { layers, config: imageConfig } = input;
  const history = imageConfig?.history ?? [];
  const origins = attributeHistory(history, config.dockerfileFacts);
  const chain = stageChain(config.dockerfileFacts);
  const finalFromLine = config.dockerfileFacts.finalStage?.line ?? null;
  const given = givenSecrets(config);
  const refs = layers ? layerRefs({ count: layers.length, imageConfig, history, origins }, given) : [];
  const user = {
    user: parseImageUser(imageConfig?.config?.User),
    configured: imageConfig?.config?.User?.trim(),
    accounts: layers ? { passwd: finalAccountFile(layers, "passwd"), group: finalAccountFile(layers, "group") } : void 0,
    line: lastInstructionLine(chain, "USER") ?? finalFromLine
  };
  const baseTop = [...refs].reverse().find((r) => r.fromBase) ?? {
    index: 0,
    digest: null,
    instruction: chain[0] ? `FROM ${chain[0].from}` : "base image",
    line: chain[0]?.line ?? null,
    fromBase: true
  };
  const secrets = {
    env: imageConfig?.config?.Env ?? [],
    history,
    origins,
    chain,
    attestations: input.attestations,
    given,
    historyLayers: historyLayers(history, refs),
    baseTop
  };
  return { user, refs, finalFromLine, secrets };
}
function historyLayers(history, refs) {
  let index = 0;
  return history.map((entry) => entry.empty_layer === true ? null : refs[index++] ?? null);
}
function layerRefs(image, given) {
  const byLayer = layerOrigins(image.history, image.origins, image.count);
  const diffIds = image.imageConfig?.rootfs?.diff_ids ?? [];
  return Array.from({ length: image.count }, (_, i) => {
    const origin = byLayer[i];
    return {
      index: i,
      digest: diffIds[i] ?? null,
      // Shown next to findings, and cut short there: a token in a RUN line must not show in part.
      instruction: redactSecretValues(origin?.instruction ?? "unknown instruction", given),
      line: origin?.line ?? null,
      fromBase: origin?.fromBase ?? false
    };
  });
}
function toFinding(d, mode, dockerfile) {
  return {
    id: d.id,
    severity: effectiveSeverity(d, mode),
    message: d.message,
    file: d.file === void 0 ? dockerfile : d.file,
    line: d.line,
    layer: d.layer ?? null,
    path: d.path ?? null,
    evidence: d.evidence ?? [],
    ...d.fix ? { fix: d.fix } : {},
    ...d.fingerprint ? { fingerprint: d.fingerprint } : {}
  };
}
function wastedSpace(layers, refs) {
  const per = wastedByLayer(layers);
  const total = layers.reduce((s, l) => s + l.bytes, 0);
  const bytes = per.reduce((s, w) => s + w.bytes, 0);
  return {
    bytes,
    percent: total > 0 ? Math.round(bytes / total * 1e4) / 100 : 0,
    layers: per.map((w, index) => ({
      index,
      instruction: refs[index]?.instruction ?? "unknown instruction",
      line: refs[index]?.line ?? null,
      base: refs[index]?.fromBase ?? false,
      ...w
    })).filter((l) => l.bytes > 0).sort((a, b) => b.bytes - a.bytes)
  };
}
function effectiveSeverity(d, mode) {
  const kind = d.severity ?? FINDING_KINDS[d.id].severity;
  if (kind !== "error") return kind;
  if (d.layer?.fromBase) return "warning";
  if (mode === "fail") return "error";
  if (mode === "secrets" && isSecretFinding(d.id)) return "error";
  return "warning";
}
function annotate(log, f) {
  const text2 = `${f.message}${f.fix ? ` Fix: ${f.fix}` : ""} [${f.id}]`;
  const where = f.file ? { file: f.file, ...f.line !== null ? { line: f.line } : {}, title: `deploy-check hygiene: ${f.id}` } : void 0;
  if (f.severity === "info") log.info(text2);
  else if (f.severity === "error") log.error(text2, where);
  else log.warning(text2, where);
}

// src/host/held-log.ts
var HeldLog = class {
  target;
  held = [];
  groups = [];
  constructor(target) {
    this.target = target;
  }
  say(line) {
    const group = this.groups.at(-1);
    if (group) group.lines.push(line);
    else if (this.held) this.held.push(line);
    else void line(this.target);
  }
  info(message) {
    this.say((l) => l.info(message));
  }
  warning(message, where) {
    this.say((l) => l.warning(message, where));
  }
  error(message, where) {
    this.say((l) => l.error(message, where));
  }
  debug(message) {
    this.say((l) => l.debug(message));
  }
  async group(title, fn) {
    const group = { title, lines: [] };
    this.groups.push(group);
    try {
      return await fn();
    } finally {
      this.groups.pop();
      const lines = group.lines;
      this.say(
        (l) => l.group(title, async () => {
          for (const line of lines) await line(l);
        })
      );
    }
  }
  /** Passes on what was held, groups closed before the next line; afterwards lines go straight through. */
  async release() {
    const held = this.held ?? [];
    this.held = void 0;
    for (const line of held) await line(this.target);
  }
};

// src/size/budget.ts
function evaluateBudgets(config, input) {
  const checks = [];
  const metric = config.metric;
  const figure = metric === "compressed" ? input.current.compressedBytes : input.current.bytes;
  if (config.maxSize) checks.push(checkMaxSize(config.maxSize.bytes, config.maxSize.raw, metric, figure, input.current.layers));
  if (config.maxIncrease) checks.push(checkMaxIncrease(config.maxIncrease, metric, input));
  const status = budgetStatus(checks);
  return { metric, status, checks };
}
function budgetStatus(checks) {
  if (checks.length === 0) return "none";
  if (checks.some((c) => c.status === "exceeded")) return "exceeded";
  return checks.some((c) => c.status === "unchecked") ? "unchecked" : "pass";
}
function applyWasted(size, wasted, limit, reason) {
  if (size.status !== "measured") return size;
  const checks = [...size.budget.checks];
  if (limit) checks.push(checkMaxWasted(limit, wasted, reason));
  const status = budgetStatus(checks);
  return { ...size, wasted, budget: { ...size.budget, status, checks } };
}
function checkMaxWasted(limit, wasted, reason) {
  const base = { name: "max-wasted", limit: limit.raw };
  if (!wasted) return { ...base, status: "unchecked", actual: null, layer: null, message: `max-wasted ${limit.raw} not checked: ${reason}.` };
  const actual = limit.kind === "percent" ? wasted.percent : wasted.bytes;
  const allowed = limit.kind === "percent" ? limit.percent : limit.bytes;
  const figure = `${formatBytes2(wasted.bytes)} (${wasted.percent.toFixed(1)}% of the uncompressed image)`;
  if (actual <= allowed) return { ...base, status: "pass", actual, layer: null, message: `max-wasted ${limit.raw}: ${figure} wasted, within budget.` };
  const worst = wasted.layers[0];
  return {
    ...base,
    status: "exceeded",
    actual,
    layer: worst ? { instruction: worst.instruction, line: worst.line } : null,
    message: `Image size budget max-wasted ${limit.raw} exceeded: ${figure} is files that a later layer deletes or overwrites${worst ? `; most of it from ${describeLayer2(worst.instruction, worst.line, worst.base)} (${formatBytes2(worst.bytes)}): delete those files in the same RUN that creates them, or build them in another stage` : ""}.`
  };
}
function checkMaxSize(limit, raw, metric, figure, layers) {
  if (figure === null) {
    return {
      name: "max-size",
      limit: raw,
      status: "unchecked",
      actual: null,
      layer: null,
      message: `max-size ${raw} not checked: the ${metric} size could not be measured.`
    };
  }
  if (figure <= limit) {
    return {
      name: "max-size",
      limit: raw,
      status: "pass",
      actual: figure,
      layer: null,
      message: `max-size ${raw}: the ${metric} image is ${formatBytes2(figure)}, within budget.`
    };
  }
  const largest = [...layers].sort((a, b) => layerFigure(b, metric) - layerFigure(a, metric))[0];
  const blame = largest ? `; its largest layer is ${describeLayer2(largest.instruction, largest.line, largest.base)} (${formatBytes2(layerFigure(largest, metric))})` : "";
  return {
    name: "max-size",
    limit: raw,
    status: "exceeded",
    actual: figure,
    layer: largest ? { instruction: largest.instruction, line: largest.line } : null,
    message: `Image size budget max-size ${raw} exceeded: the ${metric} image is ${formatBytes2(figure)}, ${formatBytes2(figure - limit)} over${blame}.`
  };
}
function checkMaxIncrease(limit, metric, input) {
  const base = { name: "max-increase", limit: limit.raw };
  const delta = input.delta;
  const change = delta === null ? null : metric === "compressed" ? delta.compressedBytes : delta.bytes;
  const percent = delta === null ? null : metric === "compressed" ? delta.compressedPercent : delta.percent;
  if (delta === null || change === null) {
    const why2 = delta === null ? input.baselineNote ?? "there is no baseline" : `the ${metric} sizes of this image and the baseline were measured differently`;
    return { ...base, status: "unchecked", actual: null, layer: null, message: `max-increase ${limit.raw} not checked: ${why2}.` };
  }
  const actual = limit.kind === "percent" ? percent : change;
  if (actual === null) {
    return {
      ...base,
      status: "unchecked",
      actual: null,
      layer: null,
      message: `max-increase ${limit.raw} not checked: the baseline's ${metric} size is zero, so no percentage applies.`
    };
  }
  const allowed = limit.kind === "percent" ? limit.percent : limit.bytes;
  const grewBy = `${change >= 0 ? "grew" : "shrank"} by ${formatBytes2(Math.abs(change))}${percent === null ? "" : ` (${percent >= 0 ? "+" : ""}${percent.toFixed(1)}%`}`;
  const fromTo = input.baselineFigure !== null ? `, ${formatBytes2(input.baselineFigure)} \u2192 ${formatBytes2(input.baselineFigure + change)}${percent === null ? "" : ")"}` : percent === null ? "" : ")";
  const against = input.baselineSource ? ` against the baseline from ${input.baselineSource}` : "";
  if (actual <= allowed) {
    return {
      ...base,
      status: "pass",
      actual,
      layer: null,
      message: `max-increase ${limit.raw}: the ${metric} image ${grewBy}${fromTo}${against}, within budget.`
    };
  }
  const culprit = mostResponsible(delta.layers, metric);
  const blame = culprit ? `; most of the growth is ${culprit.change === "base-image" ? "the base image change at " : culprit.change === "added" ? "the new " : ""}${describeLayer2(culprit.instruction, culprit.line, false)} (+${formatBytes2(changeFigure(culprit, metric))})` : "";
  return {
    ...base,
    status: "exceeded",
    actual,
    layer: culprit ? { instruction: culprit.instruction, line: culprit.line } : null,
    message: `Image size budget max-increase ${limit.raw} exceeded: the ${metric} image ${grewBy}${fromTo}${against}${blame}.`
  };
}
function layerFigure(layer, metric) {
  return (metric === "compressed" ? layer.compressedBytes : layer.bytes) ?? layer.bytes;
}
function changeFigure(change, metric) {
  return (metric === "compressed" ? change.compressedBytes ?? change.bytes : change.bytes ?? change.compressedBytes) ?? 0;
}
function mostResponsible(changes, metric) {
  return [...changes].filter((c) => changeFigure(c, metric) > 0).sort((a, b) => changeFigure(b, metric) - changeFigure(a, metric))[0];
}
function describeLayer2(instruction, line, base) {
  const text2 = instruction.length > 80 ? `${instruction.slice(0, 77)}...` : instruction;
  if (line === null) return base ? `the base image (${text2})` : text2;
  return `line ${line}: ${text2}`;
}

// src/size/stage.ts
import path26 from "node:path";

// src/size/baseline.ts
import { readFile as readFile10 } from "node:fs/promises";
import path24 from "node:path";

// src/size/attribute.ts
var BUILDKIT_COMMENT = "buildkit.dockerfile.v0";
function historyKeyword2(createdBy) {
  let text2 = createdBy.trim();
  if (text2 === "") return null;
  const legacy = /^\/bin\/sh -c #\(nop\)\s*(.*)$/s.exec(text2);
  if (legacy) text2 = legacy[1] ?? "";
  else if (/^\/bin\/sh -c /.test(text2)) return "RUN";
  const word = /^([A-Za-z]+)\b/.exec(text2)?.[1];
  return word ? word.toUpperCase() : null;
}
function normalizeCreatedBy(createdBy) {
  return createdBy.replace(/\s+# buildkit$/, "").replace(/^RUN \|\d+(?: [^\s=]+=\S*)* /, "RUN ").replace(/^\/bin\/sh -c #\(nop\)\s*/, "").replace(/\s+/g, " ").trim();
}
function stageChain2(facts, stage = facts.finalStage) {
  const chain = [];
  for (let s = stage; s; ) {
    chain.unshift(s);
    const current = s;
    s = facts.stages.find((p) => p.index < current.index && p.name !== void 0 && p.name.toLowerCase() === current.from.toLowerCase());
  }
  return chain;
}
function attributeLayers(entries, facts, variables = /* @__PURE__ */ new Map()) {
  const chain = stageChain2(facts);
  const root = chain[0];
  const instructions = chain.flatMap(
    (stage) => stage.instructions.filter((i2) => i2.keyword !== "FROM").map((instruction) => ({ instruction, stage }))
  );
  const fromScratch = root !== void 0 && root.from.trim().toLowerCase() === "scratch";
  const baseRef = root === void 0 || fromScratch ? null : substitute(root.from, variables);
  const matches = /* @__PURE__ */ new Map();
  let i = entries.length - 1;
  let j = instructions.length - 1;
  let ownFrom = entries.length;
  while (i >= 0 && j >= 0) {
    const entry = entries[i];
    const wanted = instructions[j];
    if (!entry || !wanted) break;
    const keyword = historyKeyword2(entry.createdBy);
    if (keyword === wanted.instruction.keyword) {
      matches.set(i, wanted);
      ownFrom = i;
      i--;
      j--;
      continue;
    }
    if (entry.comment !== BUILDKIT_COMMENT && !fromScratch) break;
    if (instructions.slice(0, j).some((c) => c.instruction.keyword === keyword)) {
      j--;
    } else {
      ownFrom = i;
      i--;
    }
  }
  if (fromScratch) ownFrom = 0;
  const layers = [];
  entries.forEach((entry, index) => {
    if (!entry.layer) return;
    const match = matches.get(index);
    const base = index < ownFrom;
    const keyword = historyKeyword2(entry.createdBy);
    layers.push({
      instruction: match ? match.instruction.text : base && root ? `FROM ${baseRef ?? root.from}` : entry.createdBy || "(unknown instruction)",
      line: match ? match.instruction.line : base && root ? root.line : null,
      bytes: entry.bytes,
      compressedBytes: entry.compressedBytes,
      base,
      createdBy: entry.createdBy,
      keyword: match ? match.instruction.keyword : keyword,
      stage: match ? match.stage.name ?? String(match.stage.index) : null,
      diffId: entry.diffId,
      digest: entry.digest
    });
  });
  return { layers, baseRef, baseLine: root?.line ?? null, matched: matches.size, expected: instructions.length };
}
function substitute(text2, variables) {
  return text2.replace(
    /\$\{([A-Za-z_][A-Za-z0-9_]*)(?::?-([^}]*))?\}|\$([A-Za-z_][A-Za-z0-9_]*)/g,
    (whole, braced, fallback, bare) => {
      const name = braced ?? bare ?? "";
      const value = variables.get(name);
      if (value !== void 0 && value !== "") return value;
      return fallback ?? whole;
    }
  );
}

// src/size/measure.ts
import { randomBytes as randomBytes4 } from "node:crypto";

// src/size/blob-memo.ts
import { mkdir as mkdir2, readFile as readFile9, rename, writeFile as writeFile4 } from "node:fs/promises";
import path23 from "node:path";
var MAX_ENTRIES = 2e4;
var DIGEST2 = /^sha256:[a-f0-9]{64}$/;
var DigestMemo = class {
  file;
  values;
  isValue;
  constructor(file, values, isValue) {
    this.file = file;
    this.values = values;
    this.isValue = isValue;
  }
  /** Records new facts; merges with what a concurrent run may have written meanwhile. */
  async remember(entries) {
    let changed = false;
    for (const [digest, value] of entries) {
      if (this.values.get(digest) !== value) {
        this.values.set(digest, value);
        changed = true;
      }
    }
    if (!changed || !this.file) return;
    const merged = new Map([...await readDigestMap(this.file, this.isValue), ...this.values]);
    const kept = [...merged].slice(-MAX_ENTRIES);
    await mkdir2(path23.dirname(this.file), { recursive: true });
    const temp = `${this.file}.${process.pid}.tmp`;
    await writeFile4(temp, JSON.stringify(Object.fromEntries(kept)));
    await rename(temp, this.file);
  }
};
async function readDigestMap(file, isValue) {
  try {
    const parsed2 = JSON.parse(await readFile9(file, "utf8"));
    const out = /* @__PURE__ */ new Map();
    if (parsed2 && typeof parsed2 === "object") {
      for (const [digest, value] of Object.entries(parsed2)) if (DIGEST2.test(digest) && isValue(value)) out.set(digest, value);
    }
    return out;
  } catch {
    return /* @__PURE__ */ new Map();
  }
}
var isSize = (value) => typeof value === "number" && Number.isInteger(value) && value >= 0;
var isDiffId = (value) => typeof value === "string" && DIGEST2.test(value);
var BlobSizeMemo = class _BlobSizeMemo extends DigestMemo {
  get sizes() {
    return this.values;
  }
  static inMemory() {
    return new _BlobSizeMemo(void 0, /* @__PURE__ */ new Map(), isSize);
  }
  static async load(file) {
    return new _BlobSizeMemo(file, await readDigestMap(file, isSize), isSize);
  }
};
var BlobDiffIdMemo = class _BlobDiffIdMemo extends DigestMemo {
  get diffIds() {
    return this.values;
  }
  static inMemory() {
    return new _BlobDiffIdMemo(void 0, /* @__PURE__ */ new Map(), isDiffId);
  }
  static async load(file) {
    return new _BlobDiffIdMemo(file, await readDigestMap(file, isDiffId), isDiffId);
  }
};

// src/size/loopback-registry.ts
var import_node_http2 = __toESM(require_http(), 1);
import { createHash as createHash4, randomBytes as randomBytes3 } from "node:crypto";
var KEEP_LIMIT = 4 * 1024 * 1024;
var LoopbackRegistry = class _LoopbackRegistry {
  repository;
  manifests = [];
  blobs = /* @__PURE__ */ new Map();
  /** Blob uploads the engine made (bytes that had to be compressed and sent). */
  uploadedBytes = 0;
  server;
  uploads = /* @__PURE__ */ new Map();
  options;
  constructor(server, options) {
    this.server = server;
    this.options = options;
    this.repository = `deploy-check/measure`;
  }
  static async start(options) {
    let registry;
    const server = import_node_http2.default.createServer((req, res) => {
      registry?.handle(req, res).catch(() => {
        if (!res.headersSent) res.writeHead(500);
        res.end();
      });
    });
    registry = new _LoopbackRegistry(server, options);
    await new Promise((resolve, reject) => {
      server.once("error", reject);
      server.listen(0, "127.0.0.1", () => resolve());
    });
    return registry;
  }
  /** host:port as the engine must see it in the image name. */
  get host() {
    return `127.0.0.1:${this.server.address().port}`;
  }
  async close() {
    this.server.closeAllConnections();
    await new Promise((resolve) => this.server.close(() => resolve()));
  }
  async handle(req, res) {
    const url = new URL(req.url ?? "/", "http://127.0.0.1");
    const method = req.method ?? "GET";
    res.setHeader("Docker-Distribution-API-Version", "registry/2.0");
    if (url.pathname === "/v2/" || url.pathname === "/v2") {
      await drain(req);
      send(res, 200, "{}");
      return;
    }
    const prefix = `/v2/${this.repository}/`;
    if (!url.pathname.startsWith(prefix)) {
      await drain(req);
      error(res, 404, "NAME_UNKNOWN", "repository name not known to registry");
      return;
    }
    const rest = url.pathname.slice(prefix.length);
    let m;
    if ((m = /^blobs\/(sha256:[a-f0-9]{64})$/.exec(rest)) && m[1]) {
      await drain(req);
      if (method !== "HEAD" && method !== "GET") {
        error(res, 405, "UNSUPPORTED", "blobs are only asked about here");
        return;
      }
      const size = this.sizeOf(m[1]);
      if (size === void 0 || method === "GET") {
        error(res, 404, "BLOB_UNKNOWN", "blob unknown to registry");
        return;
      }
      res.writeHead(200, { "Content-Length": String(size), "Docker-Content-Digest": m[1], "Content-Type": "application/octet-stream" });
      return void res.end();
    }
    if (/^blobs\/uploads\/?$/.test(rest) && method === "POST") {
      await this.startUpload(req, res, url, prefix);
      return;
    }
    if ((m = /^blobs\/uploads\/([a-f0-9]+)$/.exec(rest)) && m[1]) {
      await this.continueUpload(req, res, url, prefix, m[1]);
      return;
    }
    if ((m = /^manifests\/([^/]+)$/.exec(rest)) && m[1]) {
      if (method === "PUT") {
        const body = await readAll(req, KEEP_LIMIT);
        const digest = `sha256:${createHash4("sha256").update(body).digest("hex")}`;
        this.manifests.push({ digest, mediaType: (req.headers["content-type"] ?? "").split(";")[0]?.trim() ?? "", body });
        res.writeHead(201, { Location: `${prefix}manifests/${digest}`, "Docker-Content-Digest": digest, "Content-Length": "0" });
        return void res.end();
      }
      await drain(req);
      error(res, 404, "MANIFEST_UNKNOWN", "manifest unknown");
      return;
    }
    await drain(req);
    error(res, 404, "UNSUPPORTED", "not a registry endpoint this registry serves");
  }
  /** POST of an upload: a mount of a blob it has, or a new upload (monolithic when the digest comes with it). */
  async startUpload(req, res, url, prefix) {
    const mount = url.searchParams.get("mount");
    if (mount && this.sizeOf(mount) !== void 0) {
      await drain(req);
      res.writeHead(201, { Location: `${prefix}blobs/${mount}`, "Docker-Content-Digest": mount, "Content-Length": "0" });
      return void res.end();
    }
    const id = randomBytes3(8).toString("hex");
    const upload = { size: 0, chunks: [], sink: this.options.tap?.open() };
    this.uploads.set(id, upload);
    await this.receive(req, upload);
    const digest = url.searchParams.get("digest");
    if (digest) {
      await this.commit(res, id, digest);
      return;
    }
    res.writeHead(202, { Location: `${prefix}blobs/uploads/${id}`, "Docker-Upload-UUID": id, Range: "0-0", "Content-Length": "0" });
    return void res.end();
  }
  /** PATCH (a chunk) or PUT (the last chunk and the digest) of an upload started before. */
  async continueUpload(req, res, url, prefix, id) {
    const method = req.method ?? "GET";
    const upload = this.uploads.get(id);
    if (!upload) {
      await drain(req);
      error(res, 404, "BLOB_UPLOAD_UNKNOWN", "upload unknown");
      return;
    }
    await this.receive(req, upload);
    if (method === "PATCH") {
      res.writeHead(202, {
        Location: `${prefix}blobs/uploads/${id}`,
        "Docker-Upload-UUID": id,
        Range: `0-${Math.max(0, upload.size - 1)}`,
        "Content-Length": "0"
      });
      return void res.end();
    }
    if (method === "PUT") {
      await this.commit(res, id, url.searchParams.get("digest") ?? "");
      return;
    }
    error(res, 405, "UNSUPPORTED", "method not supported");
  }
  sizeOf(digest) {
    const received = this.blobs.get(digest);
    if (received) return received.size;
    if (this.options.fetchDigests?.has(digest)) return void 0;
    const known = this.options.knownSizes.get(digest);
    if (known !== void 0) return known;
    return this.options.claimUnknownBlobs ? 0 : void 0;
  }
  async receive(req, upload) {
    for await (const chunk of req) {
      upload.size += chunk.length;
      this.uploadedBytes += chunk.length;
      if (upload.chunks && upload.size <= KEEP_LIMIT) upload.chunks.push(chunk);
      else upload.chunks = void 0;
      if (upload.sink) {
        try {
          await upload.sink.data(chunk);
        } catch {
          upload.sink = void 0;
        }
      }
    }
  }
  async commit(res, id, digest) {
    const upload = this.uploads.get(id);
    this.uploads.delete(id);
    if (!upload || !/^sha256:[a-f0-9]{64}$/.test(digest)) {
      error(res, 400, "DIGEST_INVALID", "digest missing or invalid");
      return;
    }
    await upload.sink?.end().catch(() => void 0);
    this.blobs.set(digest, { size: upload.size, content: upload.chunks ? Buffer.concat(upload.chunks) : void 0 });
    res.writeHead(201, { Location: `/v2/${this.repository}/blobs/${digest}`, "Docker-Content-Digest": digest, "Content-Length": "0" });
    res.end();
  }
};
async function drain(req) {
  let bytes = 0;
  for await (const chunk of req) bytes += chunk.length;
  return bytes;
}
async function readAll(req, limit) {
  const chunks = [];
  let size = 0;
  for await (const chunk of req) {
    size += chunk.length;
    if (size <= limit) chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}
function send(res, status, body) {
  res.writeHead(status, { "Content-Type": "application/json", "Content-Length": String(Buffer.byteLength(body)) });
  res.end(body);
}
function error(res, status, code, message) {
  send(res, status, JSON.stringify({ errors: [{ code, message }] }));
}

// src/size/manifest.ts
var MANIFEST_MEDIA_TYPES = {
  ociIndex: "application/vnd.oci.image.index.v1+json",
  ociManifest: "application/vnd.oci.image.manifest.v1+json",
  dockerList: "application/vnd.docker.distribution.manifest.list.v2+json",
  dockerManifest: "application/vnd.docker.distribution.manifest.v2+json"
};
function text(value) {
  return typeof value === "string" ? value : "";
}
function parseManifest(body, digest, contentType = "") {
  let raw;
  try {
    raw = JSON.parse(body.toString());
  } catch {
    throw new Error(`manifest ${digest} is not JSON`);
  }
  const mediaType = typeof raw.mediaType === "string" ? raw.mediaType : contentType;
  if (raw.schemaVersion === 1) throw new Error(`manifest ${digest} uses schema 1, which carries no layer sizes`);
  if (Array.isArray(raw.manifests) || mediaType === MANIFEST_MEDIA_TYPES.ociIndex || mediaType === MANIFEST_MEDIA_TYPES.dockerList) {
    const entries = (Array.isArray(raw.manifests) ? raw.manifests : []).map((d) => ({
      digest: text(d.digest),
      mediaType: text(d.mediaType),
      platform: d.platform ? {
        os: text(d.platform.os),
        architecture: text(d.platform.architecture),
        variant: typeof d.platform.variant === "string" ? d.platform.variant : void 0
      } : void 0,
      attestation: d.annotations?.["vnd.docker.reference.type"] === "attestation-manifest"
    }));
    return { kind: "index", entries };
  }
  const config = raw.config;
  if (!config || typeof config.digest !== "string" || !Array.isArray(raw.layers)) {
    throw new Error(`manifest ${digest} has no config or layers`);
  }
  const layers = raw.layers.map((l) => {
    if (typeof l.digest !== "string" || typeof l.size !== "number") throw new Error(`manifest ${digest} has a layer without digest or size`);
    return { digest: l.digest, size: l.size, mediaType: text(l.mediaType) };
  });
  return {
    kind: "manifest",
    manifest: { digest, configDigest: config.digest, configSize: typeof config.size === "number" ? config.size : 0, layers }
  };
}
function pickIndexEntry(entries, platform) {
  const images = entries.filter((e) => !e.attestation && e.platform?.os !== "unknown");
  return images.find((e) => e.platform?.os === platform.os && e.platform.architecture === platform.architecture) ?? (images.length === 1 ? images[0] : void 0);
}
function pickPlatformManifest(received, platform, layerCount) {
  const parsed2 = received.map((r) => ({ r, p: parseManifest(r.body, r.digest, r.mediaType) }));
  const wanted = parsed2.flatMap(({ p }) => p.kind === "index" ? [pickIndexEntry(p.entries, platform)?.digest] : []).filter((d) => d !== void 0);
  const manifests = parsed2.flatMap(({ p }) => p.kind === "manifest" ? [p.manifest] : []);
  const chosen = manifests.find((m) => wanted.includes(m.digest)) ?? manifests.find((m) => m.layers.length === layerCount && !m.layers.some((l) => l.mediaType.includes("in-toto")));
  if (!chosen) throw new Error(`the engine pushed no image manifest for ${platform.os}/${platform.architecture}`);
  return chosen;
}
function parseImageConfig(body) {
  const raw = JSON.parse(body.toString());
  return {
    history: (Array.isArray(raw.history) ? raw.history : []).map((h) => ({
      createdBy: typeof h.created_by === "string" ? h.created_by : "",
      comment: typeof h.comment === "string" ? h.comment : "",
      emptyLayer: h.empty_layer === true,
      created: typeof h.created === "string" ? h.created : null
    })),
    diffIds: Array.isArray(raw.rootfs?.diff_ids) ? raw.rootfs.diff_ids.map(String) : [],
    os: typeof raw.os === "string" ? raw.os : null,
    architecture: typeof raw.architecture === "string" ? raw.architecture : null,
    created: typeof raw.created === "string" ? raw.created : null
  };
}

// src/size/measure.ts
async function measureImage(docker2, imageRef, options) {
  const started = Date.now();
  const notes = [];
  const [info, inspect, rawHistory] = await Promise.all([
    engineInfo(docker2),
    docker2.getImage(imageRef).inspect(),
    docker2.getImage(imageRef).history()
  ]);
  const store = isContainerdStore(info) ? "containerd" : "classic";
  const history = [...rawHistory].reverse();
  const diffIds = inspect.RootFS?.Layers ?? [];
  const pushed = await readCompressed(docker2, imageRef, info, inspect, store, options, notes);
  const entries = historyEntries(history, diffIds, pushed);
  const variables = options.variables ?? /* @__PURE__ */ new Map();
  const attribution = attributeLayers(entries, options.facts, variables);
  if (attribution.matched < attribution.expected) {
    notes.push(
      `only ${attribution.matched} of ${attribution.expected} Dockerfile instructions were found in the image history; unmatched layers are shown with their history text`
    );
  }
  const layers = attribution.layers;
  const bytes = history.reduce((sum, h) => sum + Math.max(0, h.Size ?? 0), 0);
  let compressedBytes = null;
  let compressedSource = "unavailable";
  if (pushed) {
    compressedBytes = pushed.manifest.layers.reduce((sum, l) => sum + l.size, 0);
    compressedSource = "image-manifest";
  } else if (store === "containerd" && typeof inspect.Size === "number") {
    compressedBytes = inspect.Size;
    compressedSource = "engine-content-size";
    notes.push(
      "compressed size taken from the containerd store's content size (layers plus a few kB of manifests and config); per-layer compressed sizes unknown"
    );
  }
  if (store === "containerd") {
    notes.push(`on the containerd image store, \`docker images\` shows the unpacked size plus the compressed layers kept next to it`);
  }
  const baseImage = baseImageOf(attribution);
  return {
    store,
    bytes,
    compressedBytes,
    uncompressedSource: store === "containerd" ? "engine-snapshot-usage" : "engine-layer-diff",
    compressedSource,
    baseImage,
    layers,
    durationMs: Date.now() - started,
    uploadedBytes: pushed?.uploadedBytes ?? null,
    notes
  };
}
async function readCompressed(docker2, imageRef, info, inspect, store, options, notes) {
  if (!loopbackPushAllowed(info)) {
    notes.push("the engine does not allow plain-HTTP registries on 127.0.0.1, so the compressed layers could not be read");
    return void 0;
  }
  try {
    const pushed = await pushToLoopback(docker2, imageRef, inspect, store, {
      sizes: options.memo ?? BlobSizeMemo.inMemory(),
      diffIds: options.diffIdMemo ?? BlobDiffIdMemo.inMemory(),
      tap: options.tap,
      leftover: (ref, reason) => {
        const message = `the loopback tag ${ref} could not be removed (${reason}); remove it with: docker image rm ${ref}`;
        notes.push(message);
        options.log?.warning(`Image size: ${message}`);
      }
    });
    options.log?.debug(
      `measure: read the manifest of ${imageRef} through a loopback push (${pushed.uploadedBytes} bytes uploaded, ${pushed.passes === 1 ? "one pass" : `${pushed.passes} passes`})`
    );
    return pushed;
  } catch (err) {
    notes.push(`the compressed layers could not be read through a loopback push: ${err.message}`);
    options.log?.warning(`Image size: compressed layer sizes unavailable (${err.message})`);
    return void 0;
  }
}
function baseImageOf(attribution) {
  const baseLayers = attribution.layers.filter((l) => l.base);
  return attribution.baseRef === null && baseLayers.length === 0 ? null : {
    ref: attribution.baseRef,
    line: attribution.baseLine,
    layers: baseLayers.length,
    bytes: baseLayers.reduce((s, l) => s + l.bytes, 0),
    compressedBytes: sumOrNull(baseLayers.map((l) => l.compressedBytes))
  };
}
function sumOrNull(values) {
  let sum = 0;
  for (const v of values) {
    if (v === null) return null;
    sum += v;
  }
  return sum;
}
function isContainerdStore(info) {
  return (info.DriverStatus ?? []).some(([k, v]) => k === "driver-type" && v.startsWith("io.containerd.snapshotter"));
}
function loopbackPushAllowed(info) {
  const cidrs = info.RegistryConfig?.InsecureRegistryCIDRs;
  if (!cidrs) return true;
  const loopback = ipv4ToInt("127.0.0.1");
  return cidrs.some((cidr) => {
    const [net2, bits] = cidr.split("/");
    if (!net2 || !/^\d+\.\d+\.\d+\.\d+$/.test(net2)) return false;
    const prefix = Number(bits ?? 32);
    const mask = prefix === 0 ? 0 : ~0 << 32 - prefix >>> 0;
    return (loopback & mask) >>> 0 === (ipv4ToInt(net2) & mask) >>> 0;
  });
}
function ipv4ToInt(ip) {
  return ip.split(".").reduce((n, part) => (n << 8 | Number(part)) >>> 0, 0);
}
async function pushToLoopback(docker2, imageRef, inspect, store, memos) {
  const platform = { os: inspect.Os ?? "linux", architecture: inspect.Architecture ?? "amd64" };
  const diffIds = inspect.RootFS?.Layers ?? [];
  const push = { docker: docker2, imageRef, inspect, platform, diffIds, memos };
  return store === "containerd" ? pushContainerd(push) : pushClassic(push);
}
async function pushContainerd(push) {
  const { tap, diffIds: pairs } = push.memos;
  const paired = new Set(pairs.diffIds.values());
  if (tap && push.diffIds.every((id) => tap.wanted.has(id) || paired.has(id))) {
    const once4 = await pushContainerdOnce(push, tap).catch(() => void 0);
    if (once4) return once4;
  }
  return pushContainerdTwice(push);
}
async function pushContainerdOnce(push, tap) {
  const { docker: docker2, imageRef, platform, diffIds, memos } = push;
  const claimed = new Map([...memos.diffIds.diffIds].filter(([, diffId]) => !tap.wanted.has(diffId)).map(([digest]) => [digest, 0]));
  const registry = await LoopbackRegistry.start({ claimUnknownBlobs: false, knownSizes: claimed, tap });
  try {
    await pushTo(docker2, imageRef, registry, memos.leftover);
    const manifest = pickPlatformManifest(registry.manifests, platform, diffIds.length);
    const content = registry.blobs.get(manifest.configDigest)?.content;
    if (!content) return void 0;
    await rememberPairs(memos, manifest, diffIds);
    const statements = attestationLayers(registry.manifests);
    tap.documents({ config: content, attestations: statements.flatMap((d) => registry.blobs.get(d)?.content ?? []) });
    return { manifest, config: parseImageConfig(content), uploadedBytes: registry.uploadedBytes, passes: 1 };
  } finally {
    await registry.close();
  }
}
async function rememberPairs(memos, manifest, diffIds) {
  const pairs = new Map(manifest.layers.flatMap((l, i) => diffIds[i] ? [[l.digest, diffIds[i]]] : []));
  await memos.diffIds.remember(pairs).catch(() => void 0);
}
async function pushContainerdTwice(push) {
  const { docker: docker2, imageRef, platform, diffIds, memos } = push;
  const { tap } = memos;
  const first = await LoopbackRegistry.start({ claimUnknownBlobs: true, knownSizes: /* @__PURE__ */ new Map() });
  let manifest;
  let uploaded = 0;
  let passes = 1;
  try {
    await pushTo(docker2, imageRef, first, memos.leftover);
    manifest = pickPlatformManifest(first.manifests, platform, diffIds.length);
    uploaded += first.uploadedBytes;
    await rememberPairs(memos, manifest, diffIds);
  } finally {
    await first.close();
  }
  const wantedLayers = tap ? manifest.layers.filter((_, i) => tap.wanted.has(diffIds[i] ?? "")).map((l) => l.digest) : [];
  const statements = tap ? attestationLayers(first.manifests) : [];
  const secondPass = async (extra) => {
    const second = await LoopbackRegistry.start({
      claimUnknownBlobs: true,
      knownSizes: /* @__PURE__ */ new Map(),
      fetchDigests: /* @__PURE__ */ new Set([manifest.configDigest, ...extra]),
      tap: extra.length ? tap : void 0
    });
    try {
      passes++;
      await pushTo(docker2, imageRef, second, memos.leftover);
      uploaded += second.uploadedBytes;
      const content = second.blobs.get(manifest.configDigest)?.content;
      tap?.documents({ config: content, attestations: statements.flatMap((d) => second.blobs.get(d)?.content ?? []) });
      return { manifest, config: content ? parseImageConfig(content) : void 0, uploadedBytes: uploaded, passes };
    } finally {
      await second.close();
    }
  };
  if (wantedLayers.length + statements.length === 0) return secondPass([]);
  try {
    return await secondPass([...wantedLayers, ...statements]);
  } catch {
    return secondPass([]);
  }
}
async function pushClassic(push) {
  const { docker: docker2, imageRef, inspect, platform, diffIds, memos } = push;
  const { tap } = memos;
  const memo = memos.sizes;
  const refused = [...memos.diffIds.diffIds].filter(([, diffId]) => tap?.wanted.has(diffId)).map(([digest]) => digest);
  const knownSizes = tap && tap.wanted.size > 0 ? new Map(
    [...memo.sizes].filter(([digest]) => {
      const diffId = memos.diffIds.diffIds.get(digest);
      return diffId !== void 0 && !tap.wanted.has(diffId);
    })
  ) : memo.sizes;
  const registry = await LoopbackRegistry.start({ claimUnknownBlobs: false, knownSizes, fetchDigests: /* @__PURE__ */ new Set([inspect.Id, ...refused]), tap });
  try {
    await pushTo(docker2, imageRef, registry, memos.leftover);
    const manifest = pickPlatformManifest(registry.manifests, platform, diffIds.length);
    await memo.remember(new Map(manifest.layers.map((l) => [l.digest, l.size]))).catch(() => void 0);
    await rememberPairs(memos, manifest, diffIds);
    const content = registry.blobs.get(manifest.configDigest)?.content;
    tap?.documents({ config: content, attestations: [] });
    return { manifest, config: content ? parseImageConfig(content) : void 0, uploadedBytes: registry.uploadedBytes, passes: 1 };
  } finally {
    await registry.close();
  }
}
function attestationLayers(received) {
  const out = [];
  for (const r of received) {
    try {
      const parsed2 = parseManifest(r.body, r.digest, r.mediaType);
      if (parsed2.kind !== "manifest") continue;
      for (const l of parsed2.manifest.layers) if (l.mediaType.includes("in-toto")) out.push(l.digest);
    } catch {
    }
  }
  return out;
}
async function pushTo(docker2, imageRef, registry, leftover) {
  const repo = `${registry.host}/${registry.repository}`;
  const tag = `m-${randomBytes4(6).toString("hex")}`;
  await docker2.getImage(imageRef).tag({ repo, tag });
  try {
    const stream = await docker2.getImage(`${repo}:${tag}`).push({ tag, authconfig: { base64: "e30=" } });
    await followPush(docker2, stream);
  } finally {
    await removeMeasureTag(docker2, `${repo}:${tag}`, leftover);
  }
}
async function removeMeasureTag(docker2, ref, leftover) {
  let reason = "";
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      await docker2.getImage(ref).remove({ noprune: true });
      return;
    } catch (err) {
      if (err.statusCode === 404) return;
      reason = err.message;
    }
  }
  leftover(ref, reason);
}
function followPush(docker2, stream) {
  return new Promise((resolve, reject) => {
    let failure;
    docker2.modem.followProgress(
      stream,
      (err) => {
        if (err) reject(err);
        else if (failure) reject(new Error(failure));
        else resolve();
      },
      (event) => {
        if (event.error || event.errorDetail) failure = event.errorDetail?.message ?? event.error;
      }
    );
  });
}
function historyEntries(history, diffIds, pushed) {
  const config = pushed?.config;
  const manifestLayers = pushed?.manifest.layers ?? [];
  if (config && config.history.length === history.length) {
    let layer2 = 0;
    return config.history.map((h, i) => {
      const engine = history[i];
      if (h.emptyLayer) {
        return { createdBy: h.createdBy, comment: h.comment, layer: false, bytes: 0, compressedBytes: null, diffId: null, digest: null };
      }
      const index = layer2++;
      return {
        createdBy: h.createdBy,
        comment: h.comment,
        layer: true,
        bytes: Math.max(0, engine?.Size ?? 0),
        compressedBytes: manifestLayers[index]?.size ?? null,
        diffId: diffIds[index] ?? null,
        digest: manifestLayers[index]?.digest ?? null
      };
    });
  }
  const sized = history.filter((h) => (h.Size ?? 0) > 0).length;
  let layer = 0;
  return history.map((h) => {
    const isLayer = (h.Size ?? 0) > 0;
    const index = isLayer ? layer++ : -1;
    const aligned = isLayer && sized === diffIds.length;
    return {
      createdBy: h.CreatedBy ?? "",
      comment: h.Comment ?? "",
      layer: isLayer,
      bytes: Math.max(0, h.Size ?? 0),
      compressedBytes: aligned ? manifestLayers[index]?.size ?? null : null,
      diffId: aligned ? diffIds[index] ?? null : null,
      digest: aligned ? manifestLayers[index]?.digest ?? null : null
    };
  });
}

// src/size/registry.ts
import { createHash as createHash5 } from "node:crypto";
var RegistryError = class extends Error {
  status;
  constructor(message, status = null) {
    super(message);
    this.name = "RegistryError";
    this.status = status;
  }
};
var MANIFEST_ACCEPT = [
  MANIFEST_MEDIA_TYPES.ociIndex,
  MANIFEST_MEDIA_TYPES.dockerList,
  MANIFEST_MEDIA_TYPES.ociManifest,
  MANIFEST_MEDIA_TYPES.dockerManifest
].join(", ");
async function fetchRegistryImage(ref, options = {}) {
  const session = new RegistrySession(ref, options.credentials, options.fetch ?? fetch);
  const platform = options.platform ?? { os: "linux", architecture: "amd64" };
  const top = await session.manifest(ref.digest ?? ref.tag ?? "latest");
  let manifest;
  const parsed2 = parseManifest(top.body, top.digest, top.contentType);
  if (parsed2.kind === "index") {
    const entry = pickIndexEntry(parsed2.entries, platform);
    if (!entry) {
      const found = parsed2.entries.filter((e) => !e.attestation).map((e) => `${e.platform?.os}/${e.platform?.architecture}`).join(", ");
      throw new RegistryError(`${ref.text} has no ${platform.os}/${platform.architecture} image (it has ${found || "none"})`);
    }
    const inner = await session.manifest(entry.digest);
    const innerParsed = parseManifest(inner.body, inner.digest, inner.contentType);
    if (innerParsed.kind !== "manifest") throw new RegistryError(`${ref.text}: the ${platform.os}/${platform.architecture} entry is not an image manifest`);
    manifest = innerParsed.manifest;
  } else {
    manifest = parsed2.manifest;
  }
  const config = parseImageConfig(await session.blob(manifest.configDigest));
  const layerTarSizes = await mapLimited(
    manifest.layers,
    4,
    (layer) => /gzip/.test(layer.mediaType) ? session.gzipTarSize(layer.digest, layer.size) : Promise.resolve(null)
  );
  return { ref, digest: top.digest, manifest, config, layerTarSizes };
}
var RegistrySession = class {
  ref;
  credentials;
  fetchFn;
  base;
  authorization;
  constructor(ref, credentials, fetchFn) {
    this.ref = ref;
    this.credentials = credentials;
    this.fetchFn = fetchFn;
    this.base = registryBaseUrl(ref.registry);
  }
  async manifest(reference) {
    const res = await this.request(`/v2/${this.ref.repository}/manifests/${reference}`, { headers: { Accept: MANIFEST_ACCEPT } });
    if (res.status === 404) throw new RegistryError(`${this.ref.text} not found on ${this.ref.registry} (manifest ${reference})`, 404);
    if (!res.ok) throw new RegistryError(`${this.ref.registry} answered ${res.status} for the manifest of ${this.ref.text}`, res.status);
    const body = Buffer.from(await res.arrayBuffer());
    const computed = `sha256:${createHash5("sha256").update(body).digest("hex")}`;
    if (reference.startsWith("sha256:") && computed !== reference) {
      throw new RegistryError(`${this.ref.registry} sent a manifest whose digest ${computed} is not the ${reference} asked for`);
    }
    const digest = res.headers.get("docker-content-digest") ?? computed;
    return { body, digest, contentType: res.headers.get("content-type") ?? "" };
  }
  async blob(digest) {
    const res = await this.request(`/v2/${this.ref.repository}/blobs/${digest}`, {});
    if (!res.ok) throw new RegistryError(`${this.ref.registry} answered ${res.status} for blob ${digest} of ${this.ref.text}`, res.status);
    return Buffer.from(await res.arrayBuffer());
  }
  /**
   * A gzip member ends with ISIZE, the uncompressed length modulo 2^32. The smallest value at
   * least about the compressed size is taken (deflate never shrinks data by much less).
   */
  async gzipTarSize(digest, compressedSize) {
    const controller = new AbortController();
    const res = await this.request(`/v2/${this.ref.repository}/blobs/${digest}`, { headers: { Range: "bytes=-4" }, signal: controller.signal });
    if (res.status !== 206) {
      controller.abort();
      return null;
    }
    const tail = Buffer.from(await res.arrayBuffer());
    if (tail.length !== 4) return null;
    const isize = tail.readUInt32LE(0);
    let size = isize;
    while (size < compressedSize - 1024 - compressedSize / 1e3) size += 2 ** 32;
    return size;
  }
  async request(path33, init) {
    const send2 = () => this.fetchFn(`${this.base}${path33}`, {
      headers: { ...init.headers, ...this.authorization ? { Authorization: this.authorization } : {} },
      signal: init.signal,
      redirect: "follow"
    }).catch((err) => {
      throw new RegistryError(`cannot reach ${this.ref.registry}: ${networkError(err)}`);
    });
    let res = await send2();
    if (res.status === 401 && this.authorization === void 0) {
      await res.arrayBuffer().catch(() => void 0);
      this.authorization = await this.authorize(res.headers.get("www-authenticate") ?? "");
      res = await send2();
    }
    if (res.status === 401 || res.status === 403) {
      await res.arrayBuffer().catch(() => void 0);
      throw new RegistryError(
        this.credentials ? `${this.ref.registry} refused registry-username "${this.credentials.username}" for ${this.ref.repository} (HTTP ${res.status})` : `${this.ref.registry} needs credentials for ${this.ref.repository}: set registry-username and registry-password`,
        res.status
      );
    }
    return res;
  }
  async authorize(challenge) {
    const scheme = challenge.trim().split(/\s+/)[0]?.toLowerCase();
    const basic = this.credentials ? `Basic ${Buffer.from(`${this.credentials.username}:${this.credentials.password}`).toString("base64")}` : void 0;
    if (scheme === "basic") {
      if (!basic)
        throw new RegistryError(`${this.ref.registry} needs credentials for ${this.ref.repository}: set registry-username and registry-password`, 401);
      return basic;
    }
    if (scheme !== "bearer")
      throw new RegistryError(`${this.ref.registry} asks for an authentication scheme deploy-check does not speak: ${challenge || "(none given)"}`, 401);
    const params = parseChallenge(challenge);
    const realm = params.get("realm");
    if (!realm) throw new RegistryError(`${this.ref.registry}'s Bearer challenge names no realm`, 401);
    const url = new URL(realm);
    const service = params.get("service");
    if (service) url.searchParams.set("service", service);
    url.searchParams.set("scope", params.get("scope") ?? `repository:${this.ref.repository}:pull`);
    const res = await this.fetchFn(url, { headers: basic ? { Authorization: basic } : {} }).catch((err) => {
      throw new RegistryError(`cannot reach the token service ${url.origin}: ${networkError(err)}`);
    });
    if (!res.ok) {
      throw new RegistryError(
        this.credentials ? `the token service of ${this.ref.registry} refused registry-username "${this.credentials.username}" (HTTP ${res.status})` : `the token service of ${this.ref.registry} refused an anonymous token (HTTP ${res.status}); set registry-username and registry-password`,
        res.status
      );
    }
    const body = await res.json();
    const token = typeof body.token === "string" ? body.token : typeof body.access_token === "string" ? body.access_token : void 0;
    if (!token) throw new RegistryError(`the token service of ${this.ref.registry} answered without a token`);
    return `Bearer ${token}`;
  }
};
function parseChallenge(header) {
  const out = /* @__PURE__ */ new Map();
  for (const m of header.matchAll(/([A-Za-z]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^\s,]+))/g)) {
    if (m[1]) out.set(m[1].toLowerCase(), (m[2] ?? m[3] ?? "").replace(/\\(.)/g, "$1"));
  }
  return out;
}
async function mapLimited(items, limit, fn) {
  const out = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      out[index] = await fn(items[index]);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}
function networkError(err) {
  if (!(err instanceof Error)) return String(err);
  return `${err.message}${err.cause instanceof Error ? ` (${err.cause.message})` : ""}`;
}

// src/size/baseline.ts
async function resolveBaseline(spec, ctx) {
  switch (spec.kind) {
    case "none":
      return { baseline: null, note: "no baseline: baseline is none" };
    case "file": {
      let json;
      try {
        json = JSON.parse(await readFile10(spec.path, "utf8"));
      } catch (err) {
        return { baseline: null, note: `no baseline: cannot read the report ${spec.path} (${err.message})` };
      }
      const baseline = baselineFromReport(json, { kind: "file", source: `file ${path24.basename(spec.path)}`, ref: spec.path });
      return baseline ? { baseline, note: null } : { baseline: null, note: `no baseline: ${spec.path} is not a deploy-check report with a measured size` };
    }
    case "image": {
      try {
        const image = await fetchRegistryImage(spec.ref, { credentials: ctx.credentials, platform: ctx.platform });
        return { baseline: baselineFromRegistry(image, ctx), note: null };
      } catch (err) {
        return { baseline: null, note: `no baseline: ${err.message}` };
      }
    }
    case "auto": {
      const { store, branch } = ctx.scope;
      if (!store || !ctx.keyPrefix) return { baseline: null, note: `no baseline yet: ${ctx.scope.unavailable ?? "no baseline store"}` };
      let entry;
      try {
        entry = await store.restore(ctx.keyPrefix);
      } catch (err) {
        return { baseline: null, note: `no baseline: ${store.description} could not be read (${err.message})` };
      }
      if (!entry) return { baseline: null, note: `no baseline yet: no passing run on ${branch ?? "the base branch"} has stored one in ${store.description}` };
      let json;
      try {
        json = JSON.parse(entry.content);
      } catch {
        return { baseline: null, note: `no baseline: the stored entry ${entry.key} is not JSON` };
      }
      const commit = reportCommit(json);
      const source = `${branch ?? "the base branch"}${commit ? ` (commit ${commit.slice(0, 7)})` : ""}`;
      const baseline = baselineFromReport(json, { kind: "auto", source, ref: entry.key });
      return baseline ? { baseline, note: null } : { baseline: null, note: `no baseline: the stored entry ${entry.key} has no measured size` };
    }
  }
}
function reportCommit(json) {
  const commit = json?.source?.commit;
  return typeof commit === "string" ? commit : null;
}
function baselineFromReport(json, origin) {
  if (!json || typeof json !== "object") return null;
  const report = json;
  const size = report.size ?? json;
  if (size["status"] !== void 0 && size["status"] !== "measured") return null;
  const bytes = integerOrNull(size["bytes"]);
  const compressedBytes = integerOrNull(size["compressedBytes"]);
  if (bytes === null && compressedBytes === null) return null;
  const layers = Array.isArray(size["layers"]) ? size["layers"].map(layerFromJson).filter((l) => l !== null) : [];
  return {
    source: origin.source,
    kind: origin.kind,
    ref: origin.ref,
    bytes,
    compressedBytes,
    // Reports from before the sources were recorded measured uncompressed from the engine's history.
    uncompressedSource: oneOf(
      size["uncompressedSource"],
      ["engine-layer-diff", "engine-snapshot-usage", "gzip-isize", "unavailable"],
      bytes === null ? "unavailable" : "engine-layer-diff"
    ),
    compressedSource: oneOf(
      size["compressedSource"],
      ["image-manifest", "registry-manifest", "engine-content-size", "unavailable"],
      compressedBytes === null ? "unavailable" : "image-manifest"
    ),
    baseImage: baseImageFromJson(size["baseImage"]),
    layers,
    commit: reportCommit(json),
    measuredAt: typeof report.startedAt === "string" ? report.startedAt : null
  };
}
function oneOf(value, allowed, fallback) {
  return allowed.includes(value) ? value : fallback;
}
function integerOrNull(value) {
  return typeof value === "number" && Number.isFinite(value) ? Math.round(value) : null;
}
function layerFromJson(value) {
  if (!value || typeof value !== "object") return null;
  const l = value;
  const bytes = integerOrNull(l["bytes"]);
  if (bytes === null) return null;
  const str4 = (v) => typeof v === "string" ? v : null;
  return {
    instruction: str4(l["instruction"]) ?? "",
    line: integerOrNull(l["line"]),
    bytes,
    compressedBytes: integerOrNull(l["compressedBytes"]),
    base: l["base"] === true,
    createdBy: str4(l["createdBy"]) ?? str4(l["instruction"]) ?? "",
    keyword: str4(l["keyword"]),
    stage: str4(l["stage"]),
    diffId: str4(l["diffId"]),
    digest: str4(l["digest"])
  };
}
function baseImageFromJson(value) {
  if (!value || typeof value !== "object") return null;
  const b = value;
  return {
    ref: typeof b["ref"] === "string" ? b["ref"] : null,
    line: integerOrNull(b["line"]),
    layers: integerOrNull(b["layers"]) ?? 0,
    bytes: integerOrNull(b["bytes"]) ?? 0,
    compressedBytes: integerOrNull(b["compressedBytes"])
  };
}
function baselineFromRegistry(image, ctx) {
  let layerIndex = 0;
  const history = image.config.history.length > 0 ? image.config.history : image.manifest.layers.map(() => ({ createdBy: "", comment: "", emptyLayer: false, created: null }));
  const entries = history.map((h) => {
    if (h.emptyLayer) return { createdBy: h.createdBy, comment: h.comment, layer: false, bytes: 0, compressedBytes: null, diffId: null, digest: null };
    const i = layerIndex++;
    const layer = image.manifest.layers[i];
    return {
      createdBy: h.createdBy,
      comment: h.comment,
      layer: true,
      bytes: image.layerTarSizes[i] ?? 0,
      compressedBytes: layer?.size ?? null,
      diffId: image.config.diffIds[i] ?? null,
      digest: layer?.digest ?? null
    };
  });
  const attribution = attributeLayers(entries, ctx.facts, ctx.variables);
  const tarSizes = sumOrNull(image.layerTarSizes);
  const uncompressedSource = tarSizes === null ? "unavailable" : "gzip-isize";
  const compressedSource = "registry-manifest";
  return {
    source: `registry ${image.ref.text}`,
    kind: "image",
    ref: image.ref.digest ? image.ref.text : `${image.ref.text}@${image.digest}`,
    bytes: tarSizes,
    compressedBytes: image.manifest.layers.reduce((s, l) => s + l.size, 0),
    uncompressedSource,
    compressedSource,
    // Without base layers the registry image says nothing about its base.
    baseImage: attribution.layers.some((l) => l.base) ? baseImageOf(attribution) : null,
    layers: attribution.layers,
    commit: null,
    measuredAt: image.config.created
  };
}

// src/host/state.ts
import os5 from "node:os";
import path25 from "node:path";
function stateDirectory(env = process.env) {
  if (env["DEPLOY_CHECK_STATE_DIR"]) return env["DEPLOY_CHECK_STATE_DIR"];
  if (env["RUNNER_TOOL_CACHE"]) return path25.join(env["RUNNER_TOOL_CACHE"], "deploy-check");
  return path25.join(env["XDG_CACHE_HOME"] || path25.join(os5.homedir(), ".cache"), "deploy-check");
}

// src/size/compare.ts
function uncompressedComparable(a, b) {
  return a === b && a !== "unavailable";
}
function compressedComparable(a, b) {
  const kind = (s) => s === "image-manifest" || s === "registry-manifest" ? "blobs" : s === "engine-content-size" ? "content" : null;
  return kind(a) !== null && kind(a) === kind(b);
}
var UNCOMPRESSED_LABEL = {
  "engine-layer-diff": "the classic image store's layer sizes",
  "engine-snapshot-usage": "the containerd image store's unpacked snapshots",
  "gzip-isize": "layer tar sizes from a registry",
  unavailable: "nothing"
};
function compareSizes(current, baseline, metric) {
  const notes = [];
  const sameUncompressed = uncompressedComparable(current.uncompressedSource, baseline.uncompressedSource);
  const sameCompressed = compressedComparable(current.compressedSource, baseline.compressedSource);
  if (!sameUncompressed) {
    notes.push(
      `uncompressed sizes not compared: the baseline was measured from ${UNCOMPRESSED_LABEL[baseline.uncompressedSource]}, this image from ${UNCOMPRESSED_LABEL[current.uncompressedSource]}`
    );
  }
  if (!sameCompressed) notes.push("compressed sizes not compared: one of the two figures is missing or was measured differently");
  const bytes = sameUncompressed ? difference(current.bytes, baseline.bytes) : null;
  const compressedBytes = sameCompressed ? difference(current.compressedBytes, baseline.compressedBytes) : null;
  const layers = [];
  const baseChange = compareBase(current.layers, baseline.layers, sameUncompressed, sameCompressed);
  if (baseChange) layers.push(baseChange);
  layers.push(
    ...compareOwnLayers(
      current.layers.filter((l) => !l.base),
      baseline.layers.filter((l) => !l.base),
      sameUncompressed,
      sameCompressed
    )
  );
  const weight = (c) => Math.abs((metric === "compressed" ? c.compressedBytes ?? c.bytes : c.bytes ?? c.compressedBytes) ?? 0);
  layers.sort((a, b) => weight(b) - weight(a));
  return {
    bytes,
    percent: percentOf(bytes, baseline.bytes),
    compressedBytes,
    compressedPercent: percentOf(compressedBytes, baseline.compressedBytes),
    metric,
    baseImageChanged: baseChange !== null,
    layers,
    notes
  };
}
function difference(a, b) {
  return a === null || b === null ? null : a - b;
}
function percentOf(delta, of) {
  if (delta === null || of === null || of === 0) return null;
  return Math.round(delta / of * 1e5) / 1e3;
}
function compareBase(current, baseline, sameUncompressed, sameCompressed) {
  const now = current.filter((l) => l.base);
  const before = baseline.filter((l) => l.base);
  const ids = (ls) => ls.every((l) => l.diffId !== null) ? ls.map((l) => l.diffId ?? "") : null;
  const nowIds = ids(now);
  const beforeIds = ids(before);
  const sum = (ls, pick2) => ls.reduce((s, l) => s === null || pick2(l) === null ? null : s + (pick2(l) ?? 0), 0);
  const bytes = sameUncompressed ? difference(
    sum(now, (l) => l.bytes),
    sum(before, (l) => l.bytes)
  ) : null;
  const compressedBytes = sameCompressed ? difference(
    sum(now, (l) => l.compressedBytes),
    sum(before, (l) => l.compressedBytes)
  ) : null;
  const changed = nowIds !== null && beforeIds !== null ? nowIds.length !== beforeIds.length || nowIds.some((id, i) => id !== beforeIds[i]) : now[0]?.instruction !== before[0]?.instruction || (bytes ?? 0) !== 0 || (compressedBytes ?? 0) !== 0;
  if (!changed) return null;
  const first = now[0] ?? before[0];
  return {
    change: "base-image",
    instruction: now[0]?.instruction ?? "no base image",
    line: first?.line ?? null,
    base: true,
    bytes,
    compressedBytes,
    previousInstruction: before[0] && before[0].instruction !== now[0]?.instruction ? before[0].instruction : null
  };
}
var REBUILD_NOISE_BYTES = 64;
function compareOwnLayers(current, baseline, sameUncompressed, sameCompressed) {
  const key = (l) => normalizeCreatedBy(l.createdBy || l.instruction);
  const matchedCurrent = matchLayers(current, baseline, key);
  const changes = [];
  const matchedBaseline = new Set(matchedCurrent.values());
  current.forEach((layer, c) => {
    const b = matchedCurrent.get(c);
    const before = b === void 0 ? void 0 : baseline[b];
    if (!before) {
      changes.push({
        change: "added",
        instruction: layer.instruction,
        line: layer.line,
        base: false,
        bytes: sameUncompressed ? layer.bytes : null,
        compressedBytes: sameCompressed ? layer.compressedBytes : null,
        previousInstruction: null
      });
      return;
    }
    const bytes = sameUncompressed ? layer.bytes - before.bytes : null;
    const compressedBytes = sameCompressed ? difference(layer.compressedBytes, before.compressedBytes) : null;
    if ((bytes ?? 0) === 0 && Math.abs(compressedBytes ?? 0) < REBUILD_NOISE_BYTES) return;
    const direction = compressedBytes !== null && compressedBytes !== 0 ? compressedBytes : bytes ?? 0;
    changes.push({
      change: direction > 0 ? "grown" : "shrunk",
      instruction: layer.instruction,
      line: layer.line,
      base: false,
      bytes,
      compressedBytes,
      previousInstruction: key(layer) === key(before) ? null : before.instruction
    });
  });
  baseline.forEach((layer, b) => {
    if (matchedBaseline.has(b)) return;
    changes.push({
      change: "removed",
      instruction: layer.instruction,
      line: null,
      base: false,
      bytes: sameUncompressed ? -layer.bytes : null,
      compressedBytes: sameCompressed && layer.compressedBytes !== null ? -layer.compressedBytes : null,
      previousInstruction: null
    });
  });
  return changes;
}
function matchLayers(current, baseline, key) {
  const pairs = longestCommonSubsequence(current.map(key), baseline.map(key));
  const matchedCurrent = new Map(pairs);
  const anchors = [[-1, -1], ...pairs, [current.length, baseline.length]];
  for (let k = 0; k + 1 < anchors.length; k++) {
    const [c0, b0] = anchors[k] ?? [-1, -1];
    const [c1, b1] = anchors[k + 1] ?? [current.length, baseline.length];
    const taken = /* @__PURE__ */ new Set();
    for (let c = c0 + 1; c < c1; c++) {
      for (let b = b0 + 1; b < b1; b++) {
        if (!taken.has(b) && current[c]?.keyword === baseline[b]?.keyword) {
          matchedCurrent.set(c, b);
          taken.add(b);
          break;
        }
      }
    }
  }
  return matchedCurrent;
}
function longestCommonSubsequence(a, b) {
  const table = Array.from({ length: a.length + 1 }, () => new Array(b.length + 1).fill(0));
  for (let i2 = a.length - 1; i2 >= 0; i2--) {
    for (let j2 = b.length - 1; j2 >= 0; j2--) {
      const row = table[i2];
      row[j2] = a[i2] === b[j2] ? (table[i2 + 1]?.[j2 + 1] ?? 0) + 1 : Math.max(table[i2 + 1]?.[j2] ?? 0, row[j2 + 1] ?? 0);
    }
  }
  const pairs = [];
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    if (a[i] === b[j]) {
      pairs.push([i, j]);
      i++;
      j++;
    } else if ((table[i + 1]?.[j] ?? 0) >= (table[i]?.[j + 1] ?? 0)) {
      i++;
    } else {
      j++;
    }
  }
  return pairs;
}

// src/size/stage.ts
async function sizeStage(config, deps) {
  try {
    return await measureAndCompare(config, deps);
  } catch (err) {
    const message = `the image could not be measured: ${err.message}`;
    deps.log.warning(`Image size: ${message}`);
    return {
      ...SKIPPED_SIZE,
      layers: [],
      notes: [message],
      budget: { metric: config.size.metric, status: config.size.maxSize || config.size.maxIncrease ? "unchecked" : "none", checks: [] }
    };
  }
}
async function measureAndCompare(config, deps) {
  const { log } = deps;
  const variables = buildVariables(config);
  const memo = await BlobSizeMemo.load(path26.join(stateDirectory(), "layer-sizes.json"));
  const diffIdMemo = await BlobDiffIdMemo.load(path26.join(stateDirectory(), "layer-diff-ids.json"));
  const current = await measureImage(deps.docker, deps.image, {
    facts: config.dockerfileFacts,
    variables,
    memo,
    diffIdMemo,
    log,
    ...deps.tap ? { tap: deps.tap } : {}
  });
  log.info(
    `Image size: ${describeFigure(current.bytes)} uncompressed, ${describeFigure(current.compressedBytes)} compressed (${current.layers.length} layers, measured in ${current.durationMs} ms)`
  );
  const inspect = await deps.docker.getImage(deps.image).inspect();
  const keyPrefix = deps.baselines.branch ? baselineKeyPrefix(baselineImageKey(config, deps.cwd), deps.baselines.branch) : null;
  const { baseline, note } = await resolveBaseline(config.size.baseline, {
    facts: config.dockerfileFacts,
    variables,
    credentials: config.size.registryCredentials,
    scope: deps.baselines,
    keyPrefix,
    platform: { os: inspect.Os ?? "linux", architecture: inspect.Architecture ?? "amd64" }
  });
  if (note && config.size.baseline.kind !== "auto" && config.size.baseline.kind !== "none") log.warning(`Image size: ${note}`);
  else if (note) log.info(`Image size: ${note}`);
  const metric = config.size.metric;
  const delta = baseline ? compareSizes(current, baseline, metric) : null;
  const baselineFigure = baseline ? metric === "compressed" ? baseline.compressedBytes : baseline.bytes : null;
  const budget = evaluateBudgets(config.size, { current, baselineFigure, delta, baselineSource: baseline?.source ?? null, baselineNote: note });
  for (const check of budget.checks) {
    if (check.status === "exceeded")
      log.error(check.message, { file: config.dockerfile, line: check.layer?.line ?? void 0, title: `Image size budget ${check.name}` });
    else if (check.status === "unchecked") log.warning(check.message);
    else log.info(check.message);
  }
  const threshold = config.size.commentThreshold;
  const change = delta ? metric === "compressed" ? delta.compressedBytes : delta.bytes : null;
  const changePercent = delta ? metric === "compressed" ? delta.compressedPercent : delta.percent : null;
  const reached = change === null ? null : threshold.kind === "bytes" ? Math.abs(change) >= threshold.bytes : changePercent !== null && Math.abs(changePercent) >= threshold.percent;
  return {
    status: "measured",
    bytes: current.bytes,
    compressedBytes: current.compressedBytes,
    uncompressedSource: current.uncompressedSource,
    compressedSource: current.compressedSource,
    store: current.store,
    measureMs: current.durationMs,
    baseImage: current.baseImage,
    layers: [...current.layers],
    baseline,
    baselineNote: note,
    delta,
    budget,
    commentThreshold: {
      limit: threshold.raw,
      bytes: threshold.kind === "bytes" ? threshold.bytes : null,
      percent: threshold.kind === "percent" ? threshold.percent : null,
      reached
    },
    baselineSaved: null,
    notes: [...current.notes, ...delta?.notes ?? []]
  };
}
async function saveBaseline(config, report, scope, log, cwd) {
  if (!scope.save || !scope.store || !scope.branch || report.verdict !== "pass" || report.size.status !== "measured") return;
  if (config.size.baseline.kind !== "auto") return;
  const key = saveKey(baselineKeyPrefix(baselineImageKey(config, cwd), scope.branch), scope.runKey);
  try {
    const stored = { ...report, size: { ...report.size, baseline: null, delta: null, baselineSaved: null } };
    await scope.store.save(key, JSON.stringify(redactDeep(stored, config.secrets)));
    report.size.baselineSaved = { key };
    log.info(`Image size: stored as the baseline of ${scope.branch} in ${scope.store.description} (${key})`);
  } catch (err) {
    log.warning(`Image size: could not store the baseline in ${scope.store.description}: ${err.message}`);
  }
}
function baselineImageKey(config, cwd = process.cwd()) {
  return { dockerfile: config.dockerfile, target: config.target, imageRepository: imageRepository(config.image), cwd };
}
function buildVariables(config) {
  const vars = /* @__PURE__ */ new Map();
  for (const arg of config.dockerfileFacts.globalArgs) if (arg.value !== void 0) vars.set(arg.name, arg.value);
  for (const { key, value } of config.buildArgs) vars.set(key, value);
  return vars;
}
function describeFigure(bytes) {
  return bytes === null ? "unknown" : `${bytes} bytes`;
}

// src/hygiene/stage.ts
import path29 from "node:path";

// src/hygiene/context.ts
var import_dockerignore = __toESM(require_ignore(), 1);
import { readdir as readdir4, readFile as readFile11, lstat } from "node:fs/promises";
import path27 from "node:path";
var MUST_EXCLUDE = [".env", ".git", "node_modules", ".venv"];
var ONLY_WHEN_PRESENT = /* @__PURE__ */ new Set(["node_modules", ".venv"]);
function parseIgnoreFile(content) {
  const patterns = content.split(/\r?\n/).map((l) => l.trim()).filter((l) => l !== "" && !l.startsWith("#"));
  const ig = import_dockerignore.default.default({ ignorecase: false }).add(patterns);
  return {
    excludes: (relPath) => ig.ignores(relPath),
    hasExceptions: patterns.some((p) => p.startsWith("!"))
  };
}
function ignoreGaps(rules, present) {
  const gaps = [];
  for (const name of MUST_EXCLUDE) {
    const has = present.has(name);
    if (ONLY_WHEN_PRESENT.has(name) && !has) continue;
    const probes = name === ".env" ? [".env", ".env.local", ".env.production"] : [name];
    const leaking = probes.filter((p) => !rules || !rules.excludes(p));
    if (leaking.length === 0) continue;
    gaps.push(leaking.includes(name) ? { name, present: has } : { name, present: has, missing: leaking });
  }
  return gaps;
}
async function scanContext(dir, dockerfile) {
  const started = Date.now();
  const candidates = [`${dockerfile}.dockerignore`, path27.join(dir, ".dockerignore")];
  let ignoreFile = null;
  let rules;
  for (const file of candidates) {
    try {
      rules = parseIgnoreFile(await readFile11(file, "utf8"));
      ignoreFile = file;
      break;
    } catch {
    }
  }
  const topLevel = /* @__PURE__ */ new Set();
  for (const entry of await readdir4(dir)) topLevel.add(entry);
  const present = new Set(MUST_EXCLUDE.filter((n) => topLevel.has(n)));
  let bytes = 0;
  let files = 0;
  const sentBytes = {};
  const walk = async (rel) => {
    const abs = rel === "" ? dir : path27.join(dir, rel);
    let entries;
    try {
      entries = await readdir4(abs, { withFileTypes: true });
    } catch {
      return;
    }
    for (const entry of entries) {
      const child = rel === "" ? entry.name : `${rel}/${entry.name}`;
      const excluded = rules?.excludes(child) ?? false;
      if (entry.isDirectory()) {
        if (excluded && !rules?.hasExceptions) continue;
        await walk(child);
        continue;
      }
      if (excluded) continue;
      let size;
      try {
        size = (await lstat(path27.join(dir, child))).size;
      } catch {
        continue;
      }
      bytes += size;
      files++;
      const top = child.split("/")[0] ?? child;
      if (present.has(top)) sentBytes[top] = (sentBytes[top] ?? 0) + size;
    }
  };
  await walk("");
  return { dir, ignoreFile, bytes, files, gaps: ignoreGaps(rules, present), sentBytes, durationMs: Date.now() - started };
}

// src/hygiene/memo.ts
import { randomBytes as randomBytes5, scrypt } from "node:crypto";
import { mkdir as mkdir3, readdir as readdir5, readFile as readFile12, rename as rename2, rm as rm6, stat as stat5, utimes, writeFile as writeFile5 } from "node:fs/promises";
import path28 from "node:path";
var RULES_VERSION = 2;
var MAX_FILES = 2e3;
var MAX_BYTES = 256 * 1024 * 1024;
var FULL_PRUNE_EVERY_MS = 60 * 60 * 1e3;
var PRUNED_STAMP = ".pruned";
var LayerFactsMemo = class _LayerFactsMemo {
  dir;
  store;
  given;
  /** Why files were not trusted, for the log. */
  ignored = [];
  constructor(dir, store, given) {
    this.dir = dir;
    this.store = store;
    this.given = given;
  }
  static async open(dir, store, given) {
    return new _LayerFactsMemo(dir, store, await givenKey(given));
  }
  file(diffId) {
    return path28.join(this.dir, `${diffId.replace(/^sha256:/, "")}.json`);
  }
  async get(diffId) {
    if (!/^sha256:[a-f0-9]{64}$/.test(diffId)) return void 0;
    const file = this.file(diffId);
    let text2;
    try {
      text2 = await readFile12(file, "utf8");
    } catch {
      return void 0;
    }
    let parsed2;
    try {
      parsed2 = JSON.parse(text2);
    } catch {
      this.ignored.push(`${path28.basename(file)}: not JSON`);
      return void 0;
    }
    if (parsed2.format !== "deploy-check-hygiene-layer" || parsed2.rules !== RULES_VERSION || parsed2.diffId !== diffId || parsed2.given !== this.given)
      return void 0;
    if (parsed2.store !== this.store) {
      this.ignored.push(`${path28.basename(file)}: written for the ${String(parsed2.store)} image store`);
      return void 0;
    }
    if (!validFacts(parsed2.facts)) {
      this.ignored.push(`${path28.basename(file)}: not layer facts`);
      return void 0;
    }
    const now = /* @__PURE__ */ new Date();
    await utimes(file, now, now).catch(() => void 0);
    return parsed2.facts;
  }
  async put(diffId, facts) {
    if (!/^sha256:[a-f0-9]{64}$/.test(diffId)) return;
    const body = { format: "deploy-check-hygiene-layer", rules: RULES_VERSION, store: this.store, given: this.given, diffId, facts };
    await mkdir3(this.dir, { recursive: true });
    const file = this.file(diffId);
    const temp = `${file}.${process.pid}.${randomBytes5(3).toString("hex")}.tmp`;
    await writeFile5(temp, JSON.stringify(body));
    await rename2(temp, file);
  }
  /** Keeps the memo within its bounds, least recently used first out (see FULL_PRUNE_EVERY_MS). */
  async prune(limits = { files: MAX_FILES, bytes: MAX_BYTES }, now = Date.now()) {
    let names;
    try {
      names = (await readdir5(this.dir)).filter((n) => n.endsWith(".json"));
    } catch {
      return;
    }
    const stamp = path28.join(this.dir, PRUNED_STAMP);
    const lastFull = await stat5(stamp).then(
      (s) => s.mtimeMs,
      () => 0
    );
    if (names.length <= limits.files && now - lastFull < FULL_PRUNE_EVERY_MS) return;
    const files = await Promise.all(
      names.map(async (name) => {
        const s = await stat5(path28.join(this.dir, name)).catch(() => void 0);
        return { name, size: s?.size ?? 0, used: s?.mtimeMs ?? 0 };
      })
    );
    files.sort((a, b) => b.used - a.used);
    let bytes = 0;
    for (const [i, f] of files.entries()) {
      bytes += f.size;
      if (i >= limits.files || bytes > limits.bytes) await rm6(path28.join(this.dir, f.name), { force: true });
    }
    const at = new Date(now);
    await writeFile5(stamp, "");
    await utimes(stamp, at, at);
  }
};
async function givenKey(given) {
  if (given.length === 0) return "";
  const text2 = given.map((g) => `${g.label}\0${g.value}`).sort().join("\0\0");
  const key = await new Promise((resolve, reject) => {
    scrypt(text2, "deploy-check hygiene layer memo", 32, { N: 1 << 15, maxmem: 64 * 1024 * 1024 }, (err, derived) => err ? reject(err) : resolve(derived));
  });
  return key.toString("hex");
}
function validFacts(facts) {
  if (!facts || typeof facts !== "object") return false;
  const f = facts;
  const isObject3 = (v) => typeof v === "object" && v !== null && !Array.isArray(v);
  const nullableString = (v) => v === null || typeof v === "string";
  return typeof f["files"] === "number" && typeof f["bytes"] === "number" && Array.isArray(f["secretFiles"]) && Array.isArray(f["secretValues"]) && Array.isArray(f["lookalikes"]) && Array.isArray(f["deletes"]) && Array.isArray(f["privileged"]) && Array.isArray(f["worldWritable"]) && isObject3(f["gitDirectories"]) && isObject3(f["caches"]) && isObject3(f["compilers"]) && isObject3(f["sizes"]) && nullableString(f["passwd"]) && nullableString(f["group"]) && (f["shadowEmpty"] === null || Array.isArray(f["shadowEmpty"]));
}

// src/hygiene/stage.ts
function hygieneMemoDirectory(env = process.env) {
  return path29.join(stateDirectory(env), "hygiene-layers");
}
async function hygieneStage(config, image, deps) {
  const { mode } = config.hygiene;
  if (mode === "off") return { tap: void 0, finish: () => Promise.resolve({ report: skippedHygiene(mode, "hygiene is off"), wasted: null }) };
  const started = Date.now();
  const { docker: docker2, log } = deps;
  const given = givenSecrets(config);
  const contextPromise = scanContext(config.context, config.dockerfile);
  contextPromise.catch(() => void 0);
  const [info, inspect] = await Promise.all([
    engineInfo(docker2),
    docker2.getImage(image).inspect()
  ]);
  const diffIds = inspect.RootFS?.Layers ?? [];
  const store = isContainerdStore(info) ? "containerd" : "classic";
  const memo = await LayerFactsMemo.open(hygieneMemoDirectory(), store, given);
  const known = /* @__PURE__ */ new Map();
  await Promise.all(
    [...new Set(diffIds)].map(async (id) => {
      const facts = await memo.get(id);
      if (facts) known.set(id, facts);
    })
  );
  const wanted = new Set(diffIds.filter((id) => !known.has(id)));
  const tap = new HygieneTap(wanted, given);
  return {
    tap,
    finish: async () => {
      const context = await contextPromise;
      const read = await readLayers({ image, docker: docker2, diffIds, known, tap, given });
      for (const [id, facts] of read.fresh) await memo.put(id, facts).catch(() => void 0);
      await memo.prune().catch(() => void 0);
      const scan = {
        method: read.method,
        layers: diffIds.length,
        layersScanned: read.fresh.size,
        layersReused: diffIds.filter((id) => known.has(id)).length,
        entries: read.entries,
        bytesRead: read.bytesRead,
        durationMs: Date.now() - started,
        error: read.error,
        ...memo.ignored.length ? { memoIgnored: [...memo.ignored] } : {}
      };
      if (memo.ignored.length) log.info(`Hygiene: ignored ${memo.ignored.length} layer memo file(s): ${memo.ignored.slice(0, 3).join("; ")}`);
      log.info(
        `Hygiene: ${diffIds.length} layers, ${scan.layersReused} known from earlier runs, ${scan.layersScanned} read (${formatBytes2(scan.bytesRead)}, ${scan.method}) in ${(scan.durationMs / 1e3).toFixed(1)} s`
      );
      return evaluateHygiene(config, { layers: read.layers, config: read.config, attestations: read.attestations, scan }, context, deps);
    }
  };
}
var HygieneTap = class {
  wanted;
  scanned = /* @__PURE__ */ new Map();
  config;
  attestations = [];
  delivered = false;
  given;
  constructor(wanted, given) {
    this.wanted = wanted;
    this.given = given;
  }
  open() {
    const scanner = new LayerStreamScanner(this.given);
    return {
      data: (chunk) => scanner.push(chunk),
      end: async () => {
        const layer = await scanner.end();
        if (this.wanted.has(layer.diffId)) this.scanned.set(layer.diffId, { facts: layer.facts, bytesRead: layer.bytesRead, entries: layer.entries });
      }
    };
  }
  documents(found) {
    this.config = found.config;
    this.attestations = found.attestations;
    this.delivered = found.config !== void 0;
  }
};
async function readLayers({ image, docker: docker2, diffIds, known, tap, given }) {
  const missing = diffIds.filter((id) => !known.has(id) && !tap.scanned.has(id));
  const imageConfig = tap.config ? parseJson2(tap.config) : void 0;
  if (tap.delivered && imageConfig && missing.length === 0) {
    const fresh = new Map([...tap.scanned].map(([id, s]) => [id, s.facts]));
    const layers = diffIds.map((id) => known.get(id) ?? fresh.get(id));
    const scanned = [...tap.scanned.values()];
    return {
      method: fresh.size ? "loopback-push" : "memo",
      layers,
      fresh,
      config: imageConfig,
      attestations: tap.attestations.flatMap((b) => parseJson2(b) ?? []),
      bytesRead: scanned.reduce((s, l) => s + l.bytesRead, 0),
      entries: scanned.reduce((s, l) => s + l.entries, 0),
      error: null
    };
  }
  try {
    const scan = await scanImage(docker2, image, given);
    const fresh = /* @__PURE__ */ new Map();
    scan.layers.forEach((facts, i) => {
      const id = diffIds[i];
      if (id && !known.has(id)) fresh.set(id, facts);
    });
    return {
      method: "docker-save-stream",
      layers: scan.layers,
      fresh,
      config: scan.config,
      attestations: scan.attestations,
      bytesRead: scan.bytesRead,
      entries: scan.entries,
      error: null
    };
  } catch (err) {
    return {
      method: "docker-save-stream",
      layers: void 0,
      fresh: /* @__PURE__ */ new Map(),
      config: imageConfig ?? await inspectConfig(docker2, image),
      attestations: [],
      bytesRead: 0,
      entries: 0,
      error: err.message
    };
  }
}
async function inspectConfig(docker2, image) {
  try {
    const info = await docker2.getImage(image).inspect();
    const history = await docker2.getImage(image).history();
    return {
      config: info.Config,
      // The API lists history newest first and has no empty_layer flag.
      history: history.reverse().map((h) => ({ created_by: h.CreatedBy ?? "" }))
    };
  } catch {
    return void 0;
  }
}
function parseJson2(body) {
  try {
    return JSON.parse(body.toString("utf8"));
  } catch {
    return void 0;
  }
}

// src/hygiene/image-checks.ts
function imageChecksStage(config, deps) {
  const { docker: docker2, baselines } = deps;
  const log = new HeldLog(deps.log);
  const running2 = (async () => {
    await deps.after;
    const hygiene = await hygieneStage(config, deps.image, { docker: docker2, log, maskSecret: deps.maskSecret }).catch((err) => {
      const report = skippedHygiene(config.hygiene.mode, `the image could not be read: ${err instanceof Error ? err.message : String(err)}`);
      return { tap: void 0, finish: () => Promise.resolve({ report, wasted: null }) };
    });
    const measured2 = await log.group(
      "Measure",
      () => sizeStage(config, { image: deps.image, docker: docker2, log, baselines, ...hygiene.tap ? { tap: hygiene.tap } : {} })
    );
    const found = config.hygiene.mode === "off" ? void 0 : await log.group("Hygiene", () => hygiene.finish());
    const why2 = config.hygiene.mode === "off" ? "wasted space is read by the hygiene layer scan, and hygiene is off" : "the image layers could not be read";
    const size = applyWasted(measured2, found?.wasted ?? null, config.size.maxWasted, why2);
    for (const check of size.budget.checks.filter((c) => c.name === "max-wasted")) {
      if (check.status === "exceeded")
        log.error(check.message, { file: config.dockerfile, line: check.layer?.line ?? void 0, title: "Image size budget max-wasted" });
      else log.info(check.message);
    }
    return { size, hygiene: found?.report };
  })();
  running2.catch(() => void 0);
  return { done: () => running2.finally(() => log.release()) };
}

// src/report/size-change.ts
function sizeChanges(report) {
  const size = measured(report);
  if (!size) return [];
  const { baseline, delta } = size;
  const make = (kind, current, base, d, p) => {
    if (delta) return { kind, current, baseline: base, delta: d, percent: p ?? (d !== null && base ? d / base * 100 : null) };
    const computed = current !== null && base !== null ? current - base : null;
    const percent = computed !== null && base !== null && base > 0 ? computed / base * 100 : null;
    return { kind, current, baseline: base, delta: computed, percent };
  };
  return [
    make("compressed", size.compressedBytes, baseline?.compressedBytes ?? null, delta?.compressedBytes ?? null, delta?.compressedPercent ?? null),
    make("uncompressed", size.bytes, baseline?.bytes ?? null, delta?.bytes ?? null, delta?.percent ?? null)
  ];
}
function measured(report) {
  return report.size.status === "skipped" ? null : report.size;
}
function headlineSizePercent(report, changes) {
  const metric = measured(report)?.delta?.metric;
  const chosen = changes.find((c) => c.kind === metric)?.percent;
  return chosen ?? worstSizePercent(changes);
}
function worstSizePercent(changes) {
  const percents = changes.map((c) => c.percent).filter((p) => p !== null);
  return percents.length ? Math.max(...percents) : null;
}

// src/report/state.ts
function checkStates(report) {
  const services = servicesState(report);
  const preDeploy = preDeployState(report);
  return [
    buildState(report),
    cacheState(report),
    ...services ? [services] : [],
    ...preDeploy ? [preDeploy] : [],
    healthState(report),
    sizeState(report),
    hygieneState(report),
    deployCheckState(report)
  ];
}
function passing(name, state) {
  return { name, state, reasons: [] };
}
function failing(name, reasons) {
  return { name, state: "fail", reasons };
}
function buildState(report) {
  const { build } = report;
  if (build.status === "success") return passing("Build", "pass");
  const source = build.failure?.source;
  return failing("Build", [`Build failed${source ? ` at ${sourceLabel(source)}` : ""}: ${build.failure?.message ?? "unknown error"}`]);
}
function cacheState(report) {
  const { cache } = report.build;
  if (!cache.enabled) return passing("Cache", "skip");
  return passing("Cache", cache.warnings.length ? "warn" : cache.restored ? "pass" : "skip");
}
function serviceState(service) {
  if (service.status === "ready") return "pass";
  return service.status === "skipped" ? "skip" : "fail";
}
function servicesState(report) {
  const services = report.services ?? [];
  const failure = report.compose?.failure;
  if (services.length === 0 && !report.compose) return null;
  const reasons = services.filter((s) => serviceState(s) === "fail").map((s) => `Service "${s.name}" ${s.status === "exited" ? "exited" : "failed"}: ${s.reason ?? "not ready"}`);
  if (failure && reasons.length === 0) reasons.push(`Compose services could not be started: ${failure}`);
  if (reasons.length) return failing("Services", reasons);
  return passing("Services", services.length ? "pass" : "skip");
}
function preDeployState(report) {
  const pre = report.preDeploy;
  if (!pre) return null;
  if (pre.status === "failed") return failing("Pre-deploy", [`Pre-deploy command failed: ${pre.reason ?? "a command did not exit with 0"}`]);
  return passing("Pre-deploy", pre.status === "passed" ? "pass" : "skip");
}
function healthState(report) {
  const { health } = report;
  if (health.status === "unhealthy") return failing("Health", [`Health check failed: ${health.reason ?? "not healthy"}`]);
  return passing("Health", health.status === "healthy" ? "pass" : "skip");
}
function sizeState(report) {
  const checks = report.size.budget.checks;
  const exceeded = checks.filter((c) => c.status === "exceeded");
  if (exceeded.length)
    return failing(
      "Size",
      exceeded.map((c) => c.message)
    );
  if (!measured(report)) return passing("Size", "skip");
  if (checks.some((c) => c.status === "unchecked")) return passing("Size", "warn");
  const percent = report.size.baseline ? headlineSizePercent(report, sizeChanges(report)) : null;
  return passing("Size", percent !== null && percent >= 10 ? "warn" : "pass");
}
function hygieneState(report) {
  const { hygiene } = report;
  const errors = hygiene.findings.filter((f) => f.severity === "error");
  if (hygiene.mode !== "warn" && errors.length > 0) {
    const [first] = errors;
    const more = errors.length - 1;
    const others = [...new Set(errors.slice(1).map((f) => f.id))].join(", ");
    return failing("Hygiene", [
      `Hygiene: ${first?.message ?? ""} [${first?.id ?? ""}]${more > 0 ? `; and ${more} more error finding${more > 1 ? "s" : ""} (${others})` : ""}`
    ]);
  }
  if (hygiene.status === "skipped" || hygiene.mode === "off") return passing("Hygiene", "skip");
  return passing("Hygiene", hygiene.findings.some((f) => f.severity !== "info") ? "warn" : "pass");
}
function deployCheckState(report) {
  const deploy2 = report.deploy;
  if (!deploy2) return passing("Deploy", "skip");
  const state = deployState(deploy2);
  if (state !== "fail") return passing("Deploy", state);
  const what = deploy2.status === "timeout" ? "timed out" : deploy2.status === "waiting" ? "is waiting for approval" : "failed";
  return failing("Deploy", [`Deploy to Railway ${what}: ${deploy2.reason ?? deploy2.railwayStatus ?? "no details"}`]);
}
function deployState(deploy2) {
  switch (deploy2.status) {
    case "success":
      return "pass";
    case "failed":
    case "timeout":
    case "error":
      return "fail";
    case "waiting":
      return deploy2.onApproval === "fail" ? "fail" : "pending";
    case "skipped":
      return "skip";
    default:
      return "pending";
  }
}

// src/report/verdict.ts
function verdictOf(report) {
  const reasons = [];
  if (report.internalError) reasons.push(`deploy-check failed unexpectedly: ${report.internalError}`);
  if (report.cancelled) {
    reasons.push(`Cancelled: the run was stopped (${report.cancelled.signal}) during ${report.cancelled.stage}`);
  }
  for (const check of checkStates(report)) reasons.push(...check.reasons);
  return { verdict: reasons.length === 0 ? "pass" : "fail", reasons };
}
function decideVerdict(report) {
  const { verdict, reasons } = verdictOf(report);
  report.verdict = verdict;
  report.reasons = reasons;
}

// src/services/diagnose.ts
var UNREACHABLE = /refused|ECONNREFUSED|could not translate host name|Name or service not known|nodename nor servname|getaddrinfo|Temporary failure in name resolution|No address associated|EAI_AGAIN|ENOTFOUND|could not connect|Connection timed out|timeout expired/i;
function diagnoseUnreachableService(logs, model, app, services) {
  const names = Object.keys(model.services).filter((n) => n !== app).sort((a, b) => b.length - a.length);
  for (const line of logs) {
    if (!UNREACHABLE.test(line)) continue;
    const name = names.find((n) => new RegExp(`(?<![\\w.-])${escapeRegExp(n)}(?![\\w-])`).test(line));
    if (!name) continue;
    return `The app could not reach "${name}" (a service of the Compose file): ${why(name, model, app, services)}. Its log: ${line.trim().slice(0, 300)}`;
  }
  return null;
}
function why(name, model, app, services) {
  const started = services.find((s) => s.name === name);
  if (!started) {
    return `it was not started, because "${app}" does not depend on it; add it to depends_on of "${app}" (with condition: service_healthy and a healthcheck)`;
  }
  if (started.status !== "ready") return `it was started but ${started.status === "exited" ? "exited" : "did not become ready"}: ${started.reason ?? ""}`;
  if (started.condition === "service_started") {
    const hasCheck = model.services[name]?.healthcheck?.test?.length;
    return `it was started, but "${app}" waits only for service_started, so it may not have been accepting connections yet; ${hasCheck ? "use" : "give it a healthcheck and use"} condition: service_healthy`;
  }
  return `it was ${started.condition === "service_healthy" ? "healthy" : "done"} before the app started; check the host and port the app uses`;
}
function escapeRegExp(text2) {
  return text2.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

// src/services/start.ts
import { mkdtemp as mkdtemp6, rm as rm7, writeFile as writeFile6 } from "node:fs/promises";
import os6 from "node:os";
import path30 from "node:path";

// src/services/progress.ts
function parseContainerStatus(id, state, status) {
  const health = /\(healthy\)/.test(status) ? "healthy" : /\(unhealthy\)/.test(status) ? "unhealthy" : /health: starting/.test(status) ? "starting" : null;
  const exit = /^(?:Exited|Restarting) \((-?\d+)\)/.exec(status);
  return { id, state, health, exitCode: exit?.[1] !== void 0 ? Number(exit[1]) : null };
}
function progressOf(condition, c) {
  if (!c || c.state === "created") return { kind: "pending", waitingOn: "its container to start" };
  if ((c.restarts ?? 0) > 0 || c.state === "restarting") return { kind: "failed", reason: restartReason(c) };
  const ended = c.state === "exited" || c.state === "dead";
  if (condition === "service_completed_successfully") {
    if (!ended) return { kind: "pending", waitingOn: "it to run to completion (service_completed_successfully)" };
    return c.exitCode === 0 ? { kind: "ready" } : { kind: "failed", reason: `it exited with code ${c.exitCode ?? "?"} (service_completed_successfully needs 0)` };
  }
  if (ended) {
    return { kind: "exited", reason: `it exited with code ${c.exitCode ?? "?"} while it should keep running (${condition})` };
  }
  if (condition === "service_started") return c.state === "running" ? { kind: "ready" } : { kind: "pending", waitingOn: "it to run" };
  if (c.health === "healthy") return { kind: "ready" };
  if (c.health === "unhealthy") return { kind: "failed", reason: "its healthcheck reported unhealthy (service_healthy)" };
  if (c.health === null) return { kind: "pending", waitingOn: "a healthcheck (service_healthy), but the container reports none" };
  return { kind: "pending", waitingOn: "its healthcheck to pass (service_healthy)" };
}
function restartReason(c) {
  const times = c.restarts ?? 0;
  const restarted = times > 0 ? `Docker restarted it ${times} time${times === 1 ? "" : "s"}` : "Docker is restarting it";
  const policy = c.restartPolicy ? ` (restart: ${c.restartPolicy})` : "";
  return `it exited with code ${c.exitCode ?? "?"} and ${restarted}${policy}, now ${c.state}; a dependency that restarts before it is ready is failing, not starting`;
}

// src/services/start.ts
var POLL_MS = 100;
var START_INTERVAL_MS = 250;
var LOG_LINES_FAILED = 100;
var LOG_LINES_READY = 20;
var LOG_LINES_IN_LOG = 5;
var COMPOSE_PROJECT_LABEL = "com.docker.compose.project";
var COMPOSE_SERVICE_LABEL = "com.docker.compose.service";
async function startServices(config, compose, deps) {
  const { docker: docker2, log } = deps;
  const { model, service: app } = compose;
  const closure = dependencyClosure(model, app);
  const full = appPlacement(model, app, config.env);
  announcePlacement(log, full);
  const placement2 = closure.length ? full : { ...full, networks: [] };
  const report = {
    file: compose.file,
    project: compose.project,
    service: app,
    serviceSource: compose.serviceSource,
    // The app joins the first (the run parameters take one network).
    networks: placement2.networks.slice(0, 1).map((n) => n.name),
    droppedMounts: [...full.droppedMounts],
    durationMs: 0,
    failure: null,
    warnings: []
  };
  const warn = (warnings) => keepWarnings(report, warnings, log);
  warn(compose.warnings ?? []);
  if (closure.length === 0) {
    log.info(`Compose: "${app}" has no depends_on; nothing to start`);
    return { compose: report, services: [], ready: true, placement: placement2, stop: async () => {
    } };
  }
  const dir = await mkdtemp6(path30.join(os6.tmpdir(), "deploy-check-compose-"));
  const checkedServices = closure.map((d) => d.name).filter((n) => {
    const s = model.services[n];
    return s !== void 0 && buildsCheckedImage(s, config);
  });
  const override = await writeOverride(dir, model, closure, config, checkedServices, docker2);
  const source = compose.generated ? await writeGenerated(dir, compose.generated) : compose.file;
  for (const n of containerNames(model, closure)) {
    log.info(
      `Compose: container_name "${n.fixed}" of "${n.service}" is replaced by "${n.name}" for this run, so another run or a running stack cannot collide with it; "${n.fixed}" stays its name on the project's networks`
    );
  }
  const project = { project: compose.project, files: [source, override] };
  let stopped = null;
  const stop = (othersGone) => {
    stopped ??= (async () => {
      const failed = await removeProject(docker2, project.project, config.runId, othersGone);
      if (failed.length) log.warning(`Compose: could not remove ${failed.join(", ")} of project ${project.project}`);
      await rm7(dir, { recursive: true, force: true });
    })();
    return stopped;
  };
  log.info(`Compose: starting ${closure.map((d) => `${d.name} (${d.condition})`).join(", ")} for "${app}" as project ${project.project}`);
  const toBuild = closure.map((d) => d.name).filter((n) => model.services[n]?.build && !checkedServices.includes(n));
  if (toBuild.length) {
    const built = await runCompose(project, ["build", ...toBuild]);
    warn(composeWarnings(built.stderr));
    if (built.code !== 0) {
      report.failure = `docker compose build ${toBuild.join(" ")} failed: ${composeError(built.stderr)}`;
      const services2 = closure.map(
        (d) => failedWithout(d, model.services[d.name]?.image ?? null, toBuild.includes(d.name) ? `its build failed: ${composeError(built.stderr)}` : null)
      );
      return { compose: report, services: services2, ready: false, placement: placement2, stop };
    }
  }
  const outcome = await upAndWait(project, closure, config.health.timeoutMs, { docker: docker2, log, cancel: deps.cancel });
  report.durationMs = outcome.durationMs;
  report.failure = outcome.failure;
  warn(outcome.warnings);
  if (outcome.failure === null) await ensureNetworks(docker2, placement2, config.runId);
  const services = await evidence(docker2, closure, outcome, model, checkedServices, config.image);
  for (const s of services) {
    if (s.status === "ready") log.info(`Compose: ${s.name} ready after ${s.readyMs ?? 0} ms (${s.condition})`);
    else log.error(`Compose: ${s.name} ${s.status}: ${s.reason ?? ""}${lastWords(s.logs)}`);
  }
  return { compose: report, services, ready: outcome.failure === null, placement: placement2, stop };
}
function keepWarnings(report, warnings, log) {
  for (const warning of warnings) {
    if (report.warnings.includes(warning)) continue;
    report.warnings.push(warning);
    log.warning(`Compose: ${warning}`);
  }
}
function lastWords(logs) {
  const lines = logs.filter((l) => l.trim()).slice(-LOG_LINES_IN_LOG).map((l) => l.trim().slice(0, 200));
  return lines.length ? `; its last log lines: ${lines.join(" | ")}` : "";
}
function announcePlacement(log, placement2) {
  const app = placement2.service;
  for (const mount of placement2.droppedMounts) {
    log.info(`Compose: the bind mount ${mount} of "${app}" is left out: it would hide the image under check`);
  }
  for (const sentence of placement2.ignored) log.info(`Compose: of "${app}", ${sentence}`);
  const [primary, ...others] = placement2.networks;
  if (primary && others.length) {
    log.info(`Compose: "${app}" is on ${placement2.networks.map((n) => n.name).join(", ")}; the app joins ${primary.name}, its first`);
  }
}
async function writeOverride(dir, model, closure, config, checkedServices, docker2) {
  const file = path30.join(dir, "deploy-check.override.json");
  const override = composeOverride(model, closure, {
    labels: runLabels(config.runId),
    checkedImage: { ref: config.image, services: checkedServices },
    startIntervalMs: await supportsStartInterval(docker2) ? START_INTERVAL_MS : null,
    startPeriodMs: config.health.timeoutMs
  });
  await writeFile6(file, JSON.stringify(override, null, 2));
  return file;
}
async function writeGenerated(dir, document) {
  const file = path30.join(dir, "railway.compose.json");
  await writeFile6(file, JSON.stringify(document, null, 2));
  return file;
}
async function upAndWait(project, closure, timeoutMs, deps) {
  const { docker: docker2, log, cancel } = deps;
  const started = Date.now();
  const deadline = started + timeoutMs;
  const up = startCompose(project, ["up", "--detach", ...closure.map((d) => d.name)]);
  const upState = { result: null };
  void up.done.then((r) => upState.result = r);
  const readyMs = /* @__PURE__ */ new Map();
  const progress = /* @__PURE__ */ new Map();
  let containers = /* @__PURE__ */ new Map();
  let failure = null;
  let announced = false;
  for (; ; ) {
    const finished = upState.result;
    containers = await listProject(docker2, project.project, started);
    for (const dep of closure) {
      const p = progressOf(dep.condition, containers.get(dep.name));
      progress.set(dep.name, p);
      if (p.kind === "ready" && !readyMs.has(dep.name)) readyMs.set(dep.name, Date.now() - started);
    }
    const pending = closure.filter((d) => progress.get(d.name)?.kind === "pending");
    if (!announced && pending.length && closure.some((d) => containers.has(d.name))) {
      announced = true;
      log.info(
        `Compose: waiting up to ${Math.round(timeoutMs / 1e3)}s for ${pending.map((d) => `${d.name} (${waitingOn(progress.get(d.name))})`).join(", ")}`
      );
    }
    const bad = closure.find((d) => progress.get(d.name)?.kind === "failed" || progress.get(d.name)?.kind === "exited");
    if (bad) {
      failure = `${bad.name}: ${reasonOf(progress.get(bad.name))}`;
      break;
    }
    if (closure.every((d) => progress.get(d.name)?.kind === "ready")) break;
    if (finished && finished.code !== 0) {
      const error2 = composeError(finished.stderr);
      failure = `docker compose up failed: ${error2}`;
      for (const d of closure) {
        if (progress.get(d.name)?.kind === "pending" && containers.get(d.name)?.state === "created")
          progress.set(d.name, { kind: "failed", reason: `it could not be started: ${error2}` });
      }
      break;
    }
    if (cancel?.aborted) {
      failure = `cancelled (${String(cancel.reason)}) while waiting for ${closure.filter((d) => progress.get(d.name)?.kind === "pending").map((d) => d.name).join(", ")}`;
      break;
    }
    if (Date.now() >= deadline) {
      const waiting = closure.filter((d) => progress.get(d.name)?.kind === "pending");
      failure = `not ready after ${Math.round(timeoutMs / 1e3)}s: ${waiting.map((d) => `${d.name} (waiting for ${waitingOn(progress.get(d.name))})`).join(", ")}`;
      for (const d of waiting) {
        if (containers.has(d.name))
          progress.set(d.name, { kind: "failed", reason: `not ready after ${Math.round(timeoutMs / 1e3)}s: waiting for ${waitingOn(progress.get(d.name))}` });
      }
      break;
    }
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
  const durationMs2 = Date.now() - started;
  up.stop();
  const result = await up.done;
  if (result.stderr.trim()) log.debug(`docker compose up: ${lastLines(result.stderr, 10)}`);
  return { progress, readyMs, containers, failure, durationMs: durationMs2, warnings: composeWarnings(result.stderr) };
}
function composeError(stderr) {
  const lines = stderr.split(/\r?\n/).map((l) => l.trim()).filter((l) => l !== "" && !/^(Container|Network|Volume|Image)\s/.test(l) && !isComposeWarning(l));
  return lines.slice(-3).join(" | ") || lastLines(stderr, 3);
}
function reasonOf(p) {
  return p && (p.kind === "failed" || p.kind === "exited") ? p.reason : "not ready";
}
function waitingOn(p) {
  return p?.kind === "pending" ? p.waitingOn : "its container";
}
async function listProject(docker2, project, sinceMs) {
  const list2 = await docker2.listContainers({ all: true, filters: JSON.stringify({ label: [`${COMPOSE_PROJECT_LABEL}=${project}`] }) });
  const out = /* @__PURE__ */ new Map();
  await Promise.all(
    list2.map(async (c) => {
      const service = c.Labels[COMPOSE_SERVICE_LABEL];
      if (service && c.Labels["com.docker.compose.oneoff"] !== "True")
        out.set(service, await withRestarts(docker2, parseContainerStatus(c.Id, c.State, c.Status), sinceMs));
    })
  );
  return out;
}
async function withRestarts(docker2, listed, sinceMs) {
  const info = await docker2.getContainer(listed.id).inspect().catch(() => null);
  if (!info) return listed;
  const state = info.State.Status;
  const health = info.State.Health?.Status;
  const restarts = info.RestartCount;
  const exitCode = state === "exited" || state === "dead" || state === "restarting" ? info.State.ExitCode : restarts > 0 ? await lastExitCode(docker2, listed.id, sinceMs) : null;
  return {
    id: listed.id,
    state,
    exitCode,
    restarts,
    restartPolicy: info.HostConfig.RestartPolicy?.Name || void 0,
    health: health === "healthy" || health === "unhealthy" || health === "starting" ? health : null
  };
}
async function lastExitCode(docker2, id, sinceMs) {
  try {
    const stream = await docker2.getEvents({
      since: Math.floor(sinceMs / 1e3),
      until: Number((Date.now() / 1e3).toFixed(3)),
      filters: { type: ["container"], container: [id], event: ["die"] }
    });
    let text2 = "";
    for await (const chunk of stream) text2 += String(chunk);
    const codes = text2.split("\n").filter((l) => l.trim()).map((l) => JSON.parse(l).Actor?.Attributes?.["exitCode"]);
    const last = codes.at(-1);
    return last !== void 0 && /^-?\d+$/.test(last) ? Number(last) : null;
  } catch {
    return null;
  }
}
async function evidence(docker2, closure, outcome, model, checked, checkedImage) {
  return Promise.all(
    closure.map(async (dep) => {
      const state = outcome.containers.get(dep.name);
      const p = outcome.progress.get(dep.name);
      const base = failedWithout(dep, checked.includes(dep.name) ? checkedImage : model.services[dep.name]?.image ?? null, null);
      if (!state) return { ...base, reason: outcome.failure ? "not started: Compose stopped before it (see the failed service)" : "not started" };
      const container = docker2.getContainer(state.id);
      const ready = p?.kind === "ready";
      const [info, logs] = await Promise.all([container.inspect().catch(() => null), lastLogLines(container, ready ? LOG_LINES_READY : LOG_LINES_FAILED)]);
      const health = info?.State?.Health;
      return {
        ...base,
        image: base.image ?? info?.Config.Image ?? null,
        status: ready ? "ready" : p?.kind === "exited" ? "exited" : p?.kind === "pending" ? "skipped" : "failed",
        readyMs: outcome.readyMs.get(dep.name) ?? null,
        reason: ready ? null : p?.kind === "pending" ? `stopped waiting for ${p.waitingOn}: ${outcome.failure?.startsWith("cancelled") ? "the run was cancelled" : "another service failed"}` : reasonOf(p),
        exitCode: state.exitCode,
        restarts: state.restarts ?? info?.RestartCount ?? null,
        healthLog: (health?.Log ?? []).slice(-3).map((l) => l.Output.trim()),
        logs
      };
    })
  );
}
function failedWithout(dep, image, reason) {
  return {
    name: dep.name,
    image,
    condition: dep.condition,
    status: reason ? "failed" : "skipped",
    readyMs: null,
    reason,
    exitCode: null,
    restarts: null,
    healthLog: [],
    logs: []
  };
}
async function supportsStartInterval(docker2) {
  try {
    const [major = 0, minor = 0] = (await docker2.version()).ApiVersion.split(".").map(Number);
    return major > 1 || major === 1 && minor >= 44;
  } catch {
    return false;
  }
}
async function ensureNetworks(docker2, placement2, runId) {
  for (const network of placement2.networks) {
    if (network.external) continue;
    const exists = await docker2.getNetwork(network.name).inspect().then(
      () => true,
      () => false
    );
    if (!exists) await docker2.createNetwork({ Name: network.name, Labels: runLabels(runId) });
  }
}
async function removeProject(docker2, project, runId, othersGone) {
  const byProject = JSON.stringify({ label: [`${COMPOSE_PROJECT_LABEL}=${project}`] });
  const byRun = JSON.stringify({ label: [`${LABEL_RUN}=${runId}`] });
  const failed = [];
  const attempt = (what, op) => op.then(
    () => void 0,
    (err) => {
      if (!/no such|not found|404/i.test(err.message)) failed.push(what);
    }
  );
  const containers = await docker2.listContainers({ all: true, filters: byProject }).catch(() => []);
  await Promise.all(containers.map((c) => attempt(`container ${c.Names[0] ?? c.Id}`, docker2.getContainer(c.Id).remove({ force: true, v: true }))));
  await othersGone?.catch(() => void 0);
  const [networks, volumes, images] = await Promise.all([
    docker2.listNetworks({ filters: byRun }).catch(() => []),
    // The engine answers `Volumes: null` when there are none, whatever the types say.
    docker2.listVolumes({ filters: byProject }).then(
      (r) => r.Volumes ?? [],
      () => []
    ),
    docker2.listImages({ filters: byRun }).catch(() => [])
  ]);
  await Promise.all([
    ...networks.map((n) => attempt(`network ${n.Name}`, docker2.getNetwork(n.Id).remove())),
    ...volumes.map((v) => attempt(`volume ${v.Name}`, docker2.getVolume(v.Name).remove())),
    ...images.flatMap((i) => (i.RepoTags?.length ? i.RepoTags : [i.Id]).map((ref) => attempt(`image ${ref}`, docker2.getImage(ref).remove({ force: true }))))
  ]);
  return failed;
}

// src/services/stage.ts
async function servicesStage(config, image, docker2, log, cancel) {
  const compose = config.compose;
  if (!compose) return null;
  if (config.network) {
    log.warning(`Input "network": "${config.network}" is not used: with compose-file the app joins the Compose project's network`);
  }
  log.info(`Compose services (${compose.project}): starting what "${compose.service}" depends on`);
  return startServices({ ...config, image }, compose, { docker: docker2, log, cancel });
}
function withServices(config, extras, started) {
  if (!started) return extras;
  const [first] = started.placement.networks;
  const fromInputs = new Set(config.env.map((e) => e.key));
  if (config.parity.injectedPort !== void 0) fromInputs.add("PORT");
  return {
    network: first?.name ?? extras?.network,
    networkAliases: [...first?.aliases ?? [], ...extras?.networkAliases ?? []],
    extraEnv: [...started.placement.env.filter((e) => !fromInputs.has(e.key)), ...extras?.extraEnv ?? []]
  };
}
function servicesFailedHealth(health, started) {
  const failed = started.services.filter((s) => s.status === "failed" || s.status === "exited").map((s) => s.name);
  return {
    ...health,
    status: "skipped",
    reason: `the app was not started: the Compose service${failed.length === 1 ? "" : "s"} it needs ${failed.length ? `(${failed.join(", ")}) ` : ""}did not become ready`
  };
}
function explainAppFailure(health, config, started) {
  if (health.status !== "unhealthy" || !config.compose) return health;
  const sentence = diagnoseUnreachableService(health.logs, config.compose.model, config.compose.service, started?.services ?? []);
  return sentence ? { ...health, reason: `${health.reason ?? "not healthy"}. ${sentence}` } : health;
}
function explainPreDeployFailure(pre, config, started) {
  if (pre.status !== "failed" || !config.compose) return pre;
  const logs = pre.commands.flatMap((c) => c.logs);
  const sentence = diagnoseUnreachableService(logs, config.compose.model, config.compose.service, started?.services ?? []);
  return sentence ? { ...pre, reason: `${pre.reason ?? "failed"}. ${sentence}` } : pre;
}

// src/pipeline/railway-config.ts
import path32 from "node:path";

// src/config/iac/base.ts
import { execFile as execFile2 } from "node:child_process";
import { existsSync as existsSync7 } from "node:fs";
import { mkdir as mkdir4, mkdtemp as mkdtemp7, realpath, rm as rm8, symlink as symlink2, writeFile as writeFile7 } from "node:fs/promises";
import os7 from "node:os";
import path31 from "node:path";
import { promisify } from "node:util";

// src/config/iac/plan.ts
function diffServices(base, head) {
  const before = base.service ? settingsOf2(base.service) : /* @__PURE__ */ new Map();
  const after = head.service ? settingsOf2(head.service) : /* @__PURE__ */ new Map();
  const changes = compare(before, after);
  changes.push(...compareVariables(base.service?.variables ?? {}, head.service?.variables ?? {}));
  changes.push(...compare(databasesOf(base.databases), databasesOf(head.databases)));
  return changes;
}
function compare(before, after) {
  const fields = [.../* @__PURE__ */ new Set([...after.keys(), ...before.keys()])];
  return fields.map((field) => ({ field, before: before.get(field) ?? null, after: after.get(field) ?? null })).filter((c) => c.before !== c.after);
}
function settingsOf2(service) {
  const out = /* @__PURE__ */ new Map();
  const set = (field, value) => {
    if (value !== void 0) out.set(field, value);
  };
  set("source.rootDirectory", service.source?.rootDirectory);
  set("build.builder", service.builder);
  set("build.dockerfilePath", service.dockerfilePath);
  set("deploy.startCommand", service.startCommand);
  set("deploy.preDeployCommand", service.preDeployCommand?.join(" && "));
  set("deploy.healthcheckPath", service.healthcheckPath);
  set("deploy.healthcheckTimeout", service.healthcheckTimeout === void 0 ? void 0 : `${service.healthcheckTimeout}s`);
  set("deploy.cronSchedule", service.cronSchedule);
  for (const [key, value] of Object.entries(service.deploy)) {
    if (value !== void 0 && value !== null) set(`deploy.${key}`, typeof value === "string" ? value : JSON.stringify(value));
  }
  if (service.volumes.length)
    set(
      "volumeMounts",
      service.volumes.map((v) => v.mountPath).sort().join(", ")
    );
  if (service.tcpProxies.length) set("networking.tcpProxies", [...service.tcpProxies].sort().join(", "));
  return out;
}
function compareVariables(base, head) {
  const changes = [];
  for (const name of /* @__PURE__ */ new Set([...Object.keys(head), ...Object.keys(base)])) {
    const was = base[name];
    const is = head[name];
    const before = was ? kindOf(was) : null;
    const after = is ? kindOf(is) : null;
    if (before !== after) changes.push({ field: `variables.${name}`, before, after });
    else if (was?.type === "literal" && is?.type === "literal" && was.value !== is.value)
      changes.push({ field: `variables.${name}`, before, after: "literal, another value" });
  }
  return changes;
}
function kindOf(variable) {
  switch (variable.type) {
    case "literal":
      return "literal";
    case "reference":
      return `reference to ${variable.resource} ${variable.output}`;
    case "sharedReference":
      return `shared variable ${variable.name}`;
    case "preserve":
      return "kept in Railway (preserve())";
    case "unsupported":
      return variable.what;
  }
}
function databasesOf(databases) {
  return new Map(databases.map((d) => [`databases.${d.name}`, d.image ? `${d.engine} (${d.image})` : d.engine]));
}

// src/config/iac/base.ts
var run = promisify(execFile2);
var GIT_TIMEOUT_MS = 6e4;
var COPY_MAX_FILES = 200;
var COPY_MAX_BYTES = 4 * 1024 * 1024;
var COMMIT = /^(?:[0-9a-f]{40}|[0-9a-f]{64})$/i;
async function planAgainstBase(head, baseSha) {
  if (baseSha === null) return unavailable(null, "the pull request's event names no base commit");
  if (!COMMIT.test(baseSha)) return unavailable(null, `the base commit "${baseSha.slice(0, 80)}" is not a commit id`);
  const dir = await mkdtemp7(path31.join(os7.tmpdir(), "deploy-check-base-"));
  try {
    const copied = await copyBaseFiles(head.file, baseSha, dir);
    if (!copied.ok) return unavailable(baseSha, copied.reason);
    const headSide = { service: head.service, databases: head.project.databases };
    if (copied.file === void 0) {
      return {
        base: baseSha,
        status: "new-service",
        changes: diffServices({ service: void 0, databases: [] }, headSide),
        reason: `the base commit has no ${copied.rel}`
      };
    }
    const evaluation = await evaluateRailwayFile(copied.file, { environment: head.environment });
    const read = readProject(evaluation.project);
    if (!read.ok) return unavailable(baseSha, `the base's ${copied.rel} ${read.message}`);
    const service = read.project.services.find((s) => s.name === head.service.name);
    const changes = diffServices({ service, databases: read.project.databases }, headSide);
    if (!service) return { base: baseSha, status: "new-service", changes, reason: `the base's ${copied.rel} has no service "${head.service.name}"` };
    return { base: baseSha, status: changes.length ? "changed" : "unchanged", changes, reason: null };
  } catch (err) {
    const message = err.message.replace(/^Input "[^"]+": /, "").split(`${dir}${path31.sep}`).join("");
    return unavailable(baseSha, `the base's ${message}`);
  } finally {
    await rm8(dir, { recursive: true, force: true });
  }
}
function unavailable(base, why2) {
  return { base, status: "unavailable", changes: [], reason: `base configuration not available: ${why2}` };
}
async function copyBaseFiles(file, sha, dir) {
  const top = await git(path31.dirname(file), ["rev-parse", "--show-toplevel"]);
  if (!top.ok) return { ok: false, reason: `${path31.dirname(file)} is not in a git repository (${top.error})` };
  const root = await realpath(top.out.trim());
  const rel = path31.relative(root, await realpath(file)).split(path31.sep).join("/");
  const present = await ensureCommit(root, sha);
  if (!present.ok) return present;
  const folder = path31.posix.dirname(rel);
  const listed = await git(root, ["ls-tree", "-r", "-z", "--long", sha, "--", folder === "." ? rel : `${folder}/`]);
  if (!listed.ok) return { ok: false, reason: `git cannot list ${folder} at ${sha.slice(0, 12)} (${listed.error})` };
  const entries = parseTree(listed.out);
  const own2 = entries.find((e) => e.path === rel);
  if (!own2) return { ok: true, rel, file: void 0 };
  const total = entries.reduce((sum, e) => sum + e.size, 0);
  const wanted = folder === "." || entries.length > COPY_MAX_FILES || total > COPY_MAX_BYTES ? [own2] : entries;
  for (const entry of wanted) {
    const blob = await run("git", ["cat-file", "blob", entry.object], {
      cwd: root,
      encoding: "buffer",
      maxBuffer: COPY_MAX_BYTES + 1,
      timeout: GIT_TIMEOUT_MS
    }).catch((err) => err instanceof Error ? err : new Error(String(err)));
    if (blob instanceof Error) return { ok: false, reason: `git cannot read ${entry.path} at ${sha.slice(0, 12)} (${blob.message.split("\n")[0] ?? ""})` };
    const target = path31.join(dir, ...entry.path.split("/"));
    await mkdir4(path31.dirname(target), { recursive: true });
    await writeFile7(target, blob.stdout);
  }
  await linkNodeModules(path31.dirname(file), root, dir);
  return { ok: true, rel, file: path31.join(dir, ...rel.split("/")) };
}
async function ensureCommit(root, sha) {
  if ((await git(root, ["cat-file", "-e", `${sha}^{commit}`])).ok) return { ok: true };
  const fetched = await git(root, ["fetch", "--quiet", "--no-tags", "--depth=1", "origin", sha]);
  if (fetched.ok && (await git(root, ["cat-file", "-e", `${sha}^{commit}`])).ok) return { ok: true };
  return {
    ok: false,
    reason: `git cannot read the base commit ${sha.slice(0, 12)}: it is not in the checkout and fetching it from origin failed (${fetched.ok ? "the fetch did not bring it" : fetched.error})`
  };
}
function parseTree(out) {
  return out.split("\0").flatMap((line) => {
    const match = /^(100644|100755) blob ([0-9a-f]+)\s+(\d+)\t(.+)$/s.exec(line);
    return match?.[2] && match[3] && match[4] ? [{ object: match[2], size: Number(match[3]), path: match[4] }] : [];
  });
}
async function linkNodeModules(from, root, dir) {
  const top = path31.resolve(root);
  for (let current = await realpath(from); ; current = path31.dirname(current)) {
    const modules = path31.join(current, "node_modules");
    if (existsSync7(modules)) {
      const target = path31.join(dir, path31.relative(top, modules));
      await mkdir4(path31.dirname(target), { recursive: true });
      await symlink2(modules, target, "dir").catch(() => void 0);
      return;
    }
    if (current === top || path31.dirname(current) === current) return;
  }
}
async function git(cwd, args) {
  try {
    const { stdout } = await run("git", [...args], {
      cwd,
      timeout: GIT_TIMEOUT_MS,
      maxBuffer: 16 * 1024 * 1024,
      env: { ...process.env, GIT_TERMINAL_PROMPT: "0" }
    });
    return { ok: true, out: stdout };
  } catch (err) {
    const e = err;
    if (e.killed) return { ok: false, error: `git ${args[0] ?? ""} did not finish within ${GIT_TIMEOUT_MS / 1e3} s` };
    if (e.code === "ENOENT") return { ok: false, error: "git is not installed" };
    const lines = (e.stderr ?? "").split("\n").map((l) => l.trim()).filter(Boolean);
    const said = lines.find((l) => /^(?:fatal|error):/.test(l)) ?? lines.at(-1);
    return { ok: false, error: said?.slice(0, 300) ?? e.message.split("\n")[0] ?? "git failed" };
  }
}

// src/pipeline/railway-config.ts
function railwayConfigReport(config) {
  const file = config.railwayFile;
  const stale = config.staleRailwayFile;
  if (!file && !stale && config.railwayNotes.length === 0) return null;
  const iac = config.railwayIac;
  return {
    file: file ? shown(file.file) : "",
    kind: file?.label ?? "none",
    environment: iac?.environment ?? null,
    service: iac?.service.name ?? null,
    serviceChoice: iac?.serviceChoice ?? null,
    evaluationMs: iac?.evaluationMs ?? null,
    settings: file ? settingsFrom(file) : [],
    notMirrored: iac ? iac.notMirrored.map((n) => ({ ...n })) : [],
    variables: iac ? iac.variables.sources.map((v) => ({ ...v })) : [],
    unavailable: iac ? iac.variables.unavailable.map((v) => ({ name: v.name, reason: v.source })) : [],
    databases: iac ? iac.databases.map((d) => ({ name: d.name, engine: d.engine, image: d.image, host: d.host })) : [],
    staleFile: stale ? { file: shown(stale.file.file), reason: staleReason(stale.why), settings: settingsOf(stale.file) } : null,
    notes: [...config.railwayNotes],
    plan: null
  };
}
function settingsFrom(file) {
  const from = (field) => `${shown(file.file)} ${file.fieldPrefix}${field}`;
  const out = [];
  const add = (setting, field, value) => {
    if (value !== void 0) out.push({ setting, value, from: from(field) });
  };
  add("dockerfilePath", "build.dockerfilePath", file.dockerfilePath);
  add("startCommand", "deploy.startCommand", file.startCommand);
  add("preDeployCommand", "deploy.preDeployCommand", file.preDeployCommand?.join(" && "));
  add("healthcheckPath", "deploy.healthcheckPath", file.healthcheckPath);
  add("healthcheckTimeout", "deploy.healthcheckTimeout", file.healthcheckTimeoutMs === void 0 ? void 0 : `${file.healthcheckTimeoutMs / 1e3}`);
  add("cronSchedule", "deploy.cronSchedule", file.cronSchedule);
  return out;
}
function staleReason(why2) {
  return why2 === "cutoff" ? `Railway stopped reading railway.json / railway.toml on ${CONFIG_AS_CODE_CUTOFF}` : ".railway/railway.ts configures the service, and Railway does not manage a service by both";
}
function shown(file) {
  const relative = path32.relative(process.cwd(), file);
  return relative && !relative.startsWith("..") ? relative : file;
}
function announceRailwayConfig(config, log) {
  const section = railwayConfigReport(config);
  if (!section) return;
  const stale = config.staleRailwayFile;
  if (stale && section.staleFile) {
    const settings = section.staleFile.settings.length ? `its ${section.staleFile.settings.join(", ")} ${section.staleFile.settings.length === 1 ? "is" : "are"} not applied by Railway and not mirrored here` : "nothing in it is applied";
    const fix = stale.why === "cutoff" ? "; `railway config migrate` writes the replacement, .railway/railway.ts (if your Railway still reads the file, set railway-config-file: true)" : "; delete it once `railway config migrate --apply` has moved its settings";
    log.warning(`${section.staleFile.file} is not read: ${section.staleFile.reason}, so ${settings}${fix}`, {
      file: stale.file.file,
      title: "Railway no longer reads this file"
    });
  }
  for (const note of section.notes) log.info(`Railway configuration: ${note}`);
  const iac = config.railwayIac;
  if (!iac) return;
  log.info(
    `Railway configuration: ${section.file}, service "${iac.service.name}" (${iac.serviceChoice}), environment ${iac.environment}, evaluated in ${iac.evaluationMs} ms`
  );
  if (section.databases.length) log.info(`Railway databases: ${section.databases.map((d) => `${d.name} (${d.image}) as ${d.host}`).join(", ")}`);
  if (section.variables.length) log.info(`Railway variables: ${section.variables.map((v) => `${v.name} (${v.source})`).join(", ")}`);
  for (const v of section.unavailable) log.warning(`Railway variable ${v.name} is not set here: ${v.reason}`);
  for (const n of section.notMirrored) log.info(`Not mirrored: ${n.setting} = ${n.value}: ${n.effect}`);
}
function startRailwayPlan(config, base) {
  const iac = config.railwayIac;
  if (!iac || base === void 0) return Promise.resolve(null);
  return planAgainstBase(iac, base).then(
    (plan) => ({ base: plan.base, status: plan.status, changes: plan.changes.map((c) => ({ ...c })), reason: plan.reason }),
    (err) => ({ base, status: "unavailable", changes: [], reason: `base configuration not available: ${err.message}` })
  );
}
function announceRailwayPlan(plan, log) {
  if (!plan || plan.status === "unchanged") return;
  const base = plan.base ? ` against ${plan.base.slice(0, 12)}` : "";
  const reason = plan.reason?.replace(/[\r\n]+/g, " ");
  if (plan.status === "unavailable") {
    log.info(`Railway configuration changes${base}: ${reason ?? "base configuration not available"}`);
    return;
  }
  log.info(`Railway configuration changes${base}${reason ? ` (${reason})` : ""}:`);
  for (const line of planLines(plan)) log.info(`  ${line}`);
}

// src/pipeline/pipeline.ts
async function runPipeline(given, deps) {
  const { docker: docker2, log } = deps;
  const started = Date.now();
  if (!given.railwayPending) announce(given, log);
  const { config, build, beside } = await buildBesideRailway(given, deps);
  if (given.railwayPending) announce(config, log);
  const report = emptyReport(config, deps.source, started);
  const { plan } = beside;
  report.build = build.report;
  const stopEarlyServices = beside.stopServices;
  if (build.report.status === "failure") {
    await stopEarlyServices();
    return decideThenDeploy(report, started, config, deps, plan);
  }
  try {
    report.image.id = (await docker2.getImage(holdTag(config.runId)).inspect()).Id;
  } catch (err) {
    await stopEarlyServices();
    report.build.status = "failure";
    report.build.failure = {
      step: null,
      message: `the build succeeded but the engine deploy-check runs containers on has no image ${config.image} (${err.message}); the builder${config.builder ? ` "${config.builder}"` : ""} must load into the engine of DOCKER_HOST or the current docker context`,
      logs: []
    };
    return decideThenDeploy(report, started, config, deps, plan);
  }
  const image = report.image.id;
  if (deps.cancel?.aborted) {
    await stopEarlyServices();
    report.health = { ...skippedHealth(config, "the run was cancelled"), status: "cancelled" };
    return decideThenDeploy(report, started, config, deps, plan);
  }
  const baselines = deps.baselines ?? NO_BASELINE_SCOPE;
  const starting = beside.services ?? (config.health.strategy === "none" ? Promise.resolve(null) : servicesStage(config, image, docker2, log, deps.cancel));
  const imageChecks = imageChecksStage(config, {
    image,
    docker: docker2,
    log,
    baselines,
    maskSecret: deps.maskSecret ?? (() => void 0),
    ...deps.stateRestored ? { after: deps.stateRestored } : {}
  });
  const removals = new PendingRemovals();
  await runApp(report, { config, image, deps, starting, removals });
  const checked = await imageChecks.done();
  await removals.settled();
  report.size = checked.size;
  if (checked.hygiene && !deps.cancel?.aborted) report.hygiene = checked.hygiene;
  await decideThenDeploy(report, started, config, deps, plan);
  await saveBaseline(config, report, baselines, log);
  return report;
}
async function runApp(report, run2) {
  const { config, image, deps, starting, removals } = run2;
  const { docker: docker2, log } = deps;
  let services = null;
  let app;
  try {
    services = await starting;
    if (services) {
      report.services = services.services;
      report.compose = services.compose;
    }
    const servicesFailed = services !== null && !services.ready;
    const params = runParams(config, image, withServices(config, deps.run, services));
    if (config.health.strategy === "none") {
      const reason = "wait-for: none: no container was run (the image was built, measured and checked)";
      if (config.preDeploy) report.preDeploy = { status: "skipped", source: config.preDeploy.source, reason, durationMs: 0, commands: [] };
      report.health = skippedHealth(config, reason);
    } else if (servicesFailed && services) {
      if (config.preDeploy) {
        report.preDeploy = {
          status: "skipped",
          source: config.preDeploy.source,
          reason: `the ${config.compose?.generated ? "databases" : "Compose services"} it needs did not become ready`,
          durationMs: 0,
          commands: []
        };
      }
      report.health = servicesFailedHealth(skippedHealth(config), services);
    } else if (config.preDeploy && !deps.cancel?.aborted) {
      const preDeploy = config.preDeploy;
      app = createApp(config, docker2, params);
      const pre = await log.group(
        `Pre-deploy command (${preDeploy.source} deploy.preDeployCommand)`,
        () => preDeployStage(preDeploy, docker2, log, params, removals, deps.cancel)
      );
      report.preDeploy = explainPreDeployFailure(pre, config, services);
    }
    if (config.health.strategy === "none" || servicesFailed) {
    } else if (deps.cancel?.aborted) {
      report.health = { ...skippedHealth(config, "the run was cancelled"), status: "cancelled" };
    } else if (report.preDeploy && report.preDeploy.status !== "passed") {
      report.health = skippedHealth(config, "the pre-deploy command did not pass, so the app was not started (as on Railway)");
    } else {
      const created = await (app ?? createApp(config, docker2, params));
      app = void 0;
      report.health = explainAppFailure(await log.group("Health check", () => healthStage(config, log, created, removals, deps.cancel)), config, services);
    }
  } finally {
    const unstarted = app ? (await app).container : void 0;
    if (unstarted) removals.remove(unstarted);
    services ??= await starting.catch(() => null);
    await services?.stop(removals.settled());
  }
}
function announce(config, log) {
  announceRailwayConfig(config, log);
  announceRailwaySettings(config, log);
  warnShortSecrets(config, log);
  log.info(describeParity(config));
}
function startBesideBuild(config, deps) {
  const plan = startRailwayPlan(config, deps.railwayBase);
  if (!config.compose?.generated || config.health.strategy === "none") return { plan, services: void 0, stopServices: async () => {
  } };
  const giveUp = new AbortController();
  const cancel = deps.cancel ? AbortSignal.any([deps.cancel, giveUp.signal]) : giveUp.signal;
  const services = servicesStage(config, config.image, deps.docker, deps.log, cancel);
  services.catch(() => void 0);
  const stopServices = async () => {
    giveUp.abort("the run ended before the app started");
    await (await services.catch(() => null))?.stop();
  };
  return { plan, services, stopServices };
}
async function buildBesideRailway(given, deps) {
  const pending = given.railwayPending;
  if (!pending) {
    const beside2 = startBesideBuild(given, deps);
    return { config: given, build: await buildWithCache(given, deps), beside: beside2 };
  }
  const stop = new AbortController();
  const first = buildWithCache(given, { ...deps, cancel: deps.cancel ? AbortSignal.any([deps.cancel, stop.signal]) : stop.signal });
  let config;
  try {
    config = await pending;
  } catch (err) {
    stop.abort("the Railway configuration is not valid");
    await dropBuild(first, given, deps.docker);
    throw err;
  }
  for (const secret of config.secrets) deps.maskSecret?.(secret);
  const beside = startBesideBuild(config, deps);
  if (config.dockerfile === given.dockerfile) return { config, build: await first, beside };
  deps.log.info(
    `${config.railwayFile?.label ?? "Railway's configuration"} names ${config.dockerfile} (build.dockerfilePath): the build of ${given.dockerfile} is stopped and that Dockerfile is built, as Railway builds it`
  );
  stop.abort("another Dockerfile");
  const dropped = await dropBuild(first, given, deps.docker);
  return { config, build: await buildWithCache({ ...config, builder: dropped?.report.builder ?? config.builder }, deps), beside };
}
async function dropBuild(build, config, docker2) {
  const outcome = await build.catch(() => void 0);
  if (outcome?.report.status !== "success") return outcome;
  const id = await docker2.getImage(holdTag(config.runId)).inspect().then(
    (i) => i.Id,
    () => void 0
  );
  const tagged = await docker2.getImage(config.image).inspect().then(
    (i) => i.Id,
    () => void 0
  );
  if (id !== void 0 && tagged === id)
    await docker2.getImage(config.image).remove().catch(() => void 0);
  await docker2.getImage(holdTag(config.runId)).remove().catch(() => void 0);
  return outcome;
}
function warnShortSecrets(config, log) {
  const names = config.shortSecrets;
  if (names.length === 0) return;
  log.warning(
    `Short secrets are weak: ${names.join(", ")} ${names.length === 1 ? "has" : "have"} fewer than ${SHORT_SECRET_CHARS} characters. deploy-check masks them anyway, so the same characters are also hidden wherever else they appear in its output; a long random value avoids both.`
  );
}
async function buildWithCache(config, deps) {
  const { docker: docker2, log } = deps;
  const ctx = deps.cache ?? {
    store: null,
    missingStore: { reason: "no cache store was given", warn: false },
    revision: null,
    onDefaultBranch: null,
    ref: null,
    root: process.cwd(),
    rememberBuilder: () => {
    }
  };
  const prepared = await log.group("Layer cache: restore", async () => {
    const builder = layerCacheWanted(config, ctx) ? await chooseBuilder(config, docker2, log, ctx.rememberBuilder) : { name: config.builder, cannotExport: null };
    return prepareLayerCache(config, builder, log, ctx);
  });
  const buildConfig = { ...config, builder: prepared.builder };
  let build = await log.group("Build", () => buildStage(buildConfig, log, prepared.plan, deps.cancel));
  let cache = prepared.report;
  if ((prepared.plan.from || prepared.plan.to) && failedOnCache(build.report) && !deps.cancel?.aborted) {
    const message = `The build failed on its layer cache (${build.report.failure?.message ?? ""}); building again without it.`;
    log.warning(message);
    if (prepared.exportDir) await rm9(prepared.exportDir, { recursive: true, force: true });
    build = await log.group("Build (without the layer cache)", () => buildStage(buildConfig, log, void 0, deps.cancel));
    cache = { ...cacheReportOff(message, config.cache.mode), key: cache.key, store: cache.store, warnings: [...cache.warnings, message] };
  } else if (prepared.plan.to) {
    cache = await log.group("Layer cache: save", () => finishLayerCache(prepared, build.report, config, log, ctx));
  } else {
    cache = await finishLayerCache(prepared, build.report, config, log, ctx);
  }
  build.report.cache = cache;
  build.report.builder = prepared.builder ?? null;
  return build;
}
async function decideThenDeploy(report, started, config, deps, plan) {
  await decide(report, deps, plan);
  await deploy(report, config, deps);
  report.durationMs = Date.now() - started;
  return report;
}
async function decide(report, deps, plan) {
  const reason = deps.cancel?.reason;
  if (reason instanceof Error) report.internalError = reason.message;
  else if (deps.cancel?.aborted) report.cancelled = { signal: String(reason), stage: cancelledStage(report) };
  if (report.railway && !deps.cancel?.aborted) {
    report.railway.plan = await plan;
    announceRailwayPlan(report.railway.plan, deps.log);
  }
  decideVerdict(report);
}
async function deploy(report, config, deps) {
  if (!config.deploy.railway || deps.cancel?.aborted) return;
  report.deploy = await deps.log.group(
    "Deploy to Railway",
    () => deployStage(config, report, { log: deps.log, event: deps.event ?? null, commit: deps.source.commit })
  );
  decideVerdict(report);
}
function describeParity(config) {
  const p = config.parity;
  if (!p.enabled) return `Railway parity: off (${p.why})`;
  const port = p.injectedPort !== void 0 ? `PORT=${p.injectedPort} (${p.portSource})` : `port ${config.port ?? "?"} (${p.portSource})`;
  const status = config.health.statusSource === "railway" ? "only 200 passes" : `accepted ${config.health.status.map((r) => r.min === r.max ? r.min : `${r.min}-${r.max}`).join(",")} (health-status)`;
  const command = config.commandSource === "image" ? "the image's CMD" : `start command from ${config.commandSource}`;
  return `Railway parity: on (${p.why}): ${port}, Host ${p.host ?? "-"}, ${status}, ${command}, timeout ${Math.round(config.health.timeoutMs / 1e3)}s (${config.health.timeoutSource})`;
}
function cancelledStage(report) {
  if (report.build.status === "failure") return "the build";
  if (report.preDeploy?.status === "cancelled") return "the pre-deploy command";
  if (report.health.status === "cancelled") return "the health check";
  return "the checks";
}
function skippedHealth(config, reason = "the image was not built") {
  return {
    status: "skipped",
    strategy: config.health.strategy,
    target: null,
    timeToHealthyMs: null,
    timeoutMs: config.health.timeoutMs,
    reason,
    container: null,
    lastHttp: null,
    healthLog: [],
    logs: [],
    parity: parityReport(config)
  };
}
function emptyReport(config, source, started) {
  return {
    schemaVersion: 1,
    verdict: "fail",
    reasons: [],
    startedAt: new Date(started).toISOString(),
    durationMs: 0,
    tool: { name: "deploy-check", version: toolVersion() },
    source: {
      context: config.context,
      dockerfile: config.dockerfile,
      target: config.target ?? null,
      commitUrl: null,
      pullRequest: null,
      commentKey: null,
      ...source
    },
    image: { id: null, ref: config.image },
    build: {
      status: "failure",
      durationMs: 0,
      steps: { total: 0, cached: 0, list: [] },
      cache: cacheReportOff(null, config.cache.mode),
      builder: config.builder ?? null,
      failure: null
    },
    preDeploy: null,
    health: skippedHealth(config),
    services: [],
    compose: null,
    railway: railwayConfigReport(config),
    size: { ...SKIPPED_SIZE },
    hygiene: skippedHygiene(config.hygiene.mode, config.hygiene.mode === "off" ? "hygiene is off" : "the image was not built"),
    deploy: null
  };
}

// src/session.ts
var Secrets = class {
  values = [];
  onAdd;
  /** onAdd: told each new value once (the action registers it with the runner). */
  constructor(onAdd = () => void 0) {
    this.onAdd = onAdd;
  }
  add(value) {
    if (value === "" || this.values.includes(value)) return;
    this.onAdd(value);
    this.values.push(value);
  }
  mask(text2) {
    return redact(text2, this.values);
  }
  maskReport(report) {
    return redactDeep(report, this.values);
  }
};
var GRACE_MS = 1e4;
function exitCodeFor(signal) {
  return signal === "SIGINT" ? 130 : 143;
}
function openSession(config, docker2, source, entry) {
  const cancel = new AbortController();
  const started = Date.now();
  const removeResources = () => removeRunResources(docker2, config.runId, { images: config.compose !== void 0 });
  let signalled;
  let lastResortSet = false;
  let lastResortDue = false;
  const leave = (code, atOnce) => {
    void stopComposeProcesses().then(removeResources).catch(() => void 0).then(() => entry.cleanUp(atOnce)).finally(() => process.exit(code));
  };
  const lastResort = (known, code) => {
    if (lastResortSet) return;
    lastResortSet = true;
    setTimeout(() => {
      lastResortDue = true;
      const report = { ...emptyReport(config, source, started), ...known };
      decideVerdict(report);
      const masked = entry.secrets.maskReport(report);
      void entry.writeReport(masked).catch(() => entry.reportFailed(masked)).finally(() => leave(code, false));
    }, GRACE_MS).unref();
  };
  const onSignal = (signal) => {
    if (signalled !== void 0 || cancel.signal.aborted) {
      if (entry.cleanUpOnSecondSignal) leave(entry.signalExitCode(signal), true);
      else process.exit(entry.signalExitCode(signal));
      return;
    }
    signalled = signal;
    entry.log.info(entry.cancelling(signal));
    if (process.env["DEPLOY_CHECK_TEST_SLOW_STOP"] !== "1") cancel.abort(signal);
    if (entry.signalGrace) lastResort({ cancelled: { signal, stage: `a stage that did not stop within ${GRACE_MS / 1e3} s` } }, entry.signalExitCode(signal));
  };
  let fatal = false;
  const onFatal = (err) => {
    const error2 = err instanceof Error ? err : new Error(String(err));
    entry.unexpected(`deploy-check: unexpected error: ${error2.message}`);
    entry.log.debug(error2.stack ?? "");
    if (fatal) return;
    fatal = true;
    cancel.abort(error2);
    lastResort({ internalError: error2.message }, 1);
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
  process.on("uncaughtException", onFatal);
  process.on("unhandledRejection", onFatal);
  return {
    cancel: cancel.signal,
    signalled: () => signalled,
    report: async (report) => {
      if (!lastResortDue) await entry.writeReport(entry.secrets.maskReport(report));
    },
    close: async () => {
      await removeResources().catch(() => void 0);
      await entry.cleanUp(false);
      process.removeListener("SIGINT", onSignal);
      process.removeListener("SIGTERM", onSignal);
      process.removeListener("uncaughtException", onFatal);
      process.removeListener("unhandledRejection", onFatal);
    }
  };
}

// src/report/escape.ts
var ANSI = /\u001b(?:\[[0-?]*[ -/]*[@-~]|\][^\u0007\u001b]*(?:\u0007|\u001b\\)?|[@-Z\\-_])/g;
var CONTROLS = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069\ufeff]/g;
function stripControls(text2) {
  return text2.replace(ANSI, "").replace(CONTROLS, "");
}
var ENTITIES = {
  "&": "&amp;",
  "<": "&lt;",
  ">": "&gt;",
  '"': "&quot;",
  "|": "&#124;",
  "\\": "&#92;",
  "`": "&#96;",
  "*": "&#42;",
  _: "&#95;",
  "~": "&#126;",
  "[": "&#91;",
  "]": "&#93;",
  "!": "&#33;"
};
function escapeInline(text2, maxChars = 300) {
  let clean = stripControls(text2).replace(/[\r\n\t]+/g, " ").trim();
  const chars = codePoints(clean);
  if (chars.length > maxChars) clean = `${chars.slice(0, maxChars - 1).join("")}\u2026`;
  return clean.replace(/([@#])(?=\S)/g, "$1\u200B").replace(/\b(GH-)(?=\d)/gi, "$1\u200B").replace(/(https?|ftp):\/\//gi, "$1:/\u200B/").replace(/\bwww\./gi, "www\u200B.").replace(/[&<>"|\\`*_~[\]!]/g, (c) => ENTITIES[c] ?? c);
}
function inlineCode(text2, maxChars = 120) {
  return `<code>${escapeInline(text2, maxChars)}</code>`;
}
function isSafeToken(text2, pattern = /^[\w.:/-]{1,200}$/) {
  return typeof text2 === "string" && pattern.test(text2);
}
function codeBlock(lines, maxLineChars = 500) {
  const body = lines.map((line) => {
    const clean = stripControls(line).replace(/\r/g, "");
    const chars = codePoints(clean);
    return chars.length > maxLineChars ? `${chars.slice(0, maxLineChars).join("")} \u2026 (${chars.length - maxLineChars} more characters)` : clean;
  }).join("\n");
  const longest = Math.max(2, ...[...body.matchAll(/`+/g)].map((m) => m[0].length));
  const fence = "`".repeat(longest + 1);
  return `${fence}text
${body}
${fence}`;
}
function codeDetails(title, lines, maxLineChars = 500, open = false) {
  return `<details${open ? " open" : ""}><summary>${escapeInline(title)}</summary>

${codeBlock(lines, maxLineChars)}

</details>`;
}
function safeUrl(url) {
  if (typeof url !== "string") return null;
  let parsed2;
  try {
    parsed2 = new URL(url);
  } catch {
    return null;
  }
  if (parsed2.protocol !== "https:" && parsed2.protocol !== "http:") return null;
  return parsed2.href.replace(/[()<>\s"'`|\\[\]]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, "0")}`);
}
function codePoints(text2) {
  return Array.from(text2);
}

// src/report/checks.ts
var STATE_ICON = { pass: "\u2705", warn: "\u26A0\uFE0F", fail: "\u274C", skip: "\u26AA", pending: "\u23F3" };
var NEUTRAL_PERCENT_VALUE = 1;
var NEUTRAL_PERCENT = NEUTRAL_PERCENT_VALUE;
var SIZE_SCALE = [
  { icon: "\u{1F7E2}", label: "shrank", test: (p) => p <= -NEUTRAL_PERCENT_VALUE },
  { icon: "\u26AA", label: `within \xB1${NEUTRAL_PERCENT_VALUE}%`, test: (p) => Math.abs(p) < NEUTRAL_PERCENT_VALUE },
  { icon: "\u{1F7E1}", label: "grew < 5%", test: (p) => p < 5 },
  { icon: "\u{1F7E0}", label: "grew < 10%", test: (p) => p < 10 },
  { icon: "\u{1F534}", label: "grew \u2265 10%", test: () => true }
];
function sizeIcon(percent) {
  return (SIZE_SCALE.find((s) => s.test(percent)) ?? SIZE_SCALE[4]).icon;
}
function sizeChangeNoticeable(report) {
  const reached = measured(report)?.commentThreshold.reached;
  if (typeof reached === "boolean") return reached;
  const percent = headlineSizePercent(report, sizeChanges(report));
  return percent !== null && Math.abs(percent) >= NEUTRAL_PERCENT_VALUE;
}
function formatSigned(bytes) {
  return bytes > 0 ? `+${formatBytes2(bytes)}` : bytes < 0 ? `\u2212${formatBytes2(-bytes)}` : "\xB10 B";
}
function formatPercent(percent) {
  const sign = percent > 0 ? "+" : percent < 0 ? "\u2212" : "\xB1";
  const abs = Math.abs(percent);
  return `${sign}${abs >= 10 ? abs.toFixed(0) : abs.toFixed(1)}%`;
}
function budgetProblems(size) {
  const exceeded = [];
  const unchecked = [];
  for (const check of size.budget.checks) {
    const message = check.message || `${check.name} ${check.limit}`;
    if (check.status === "exceeded") exceeded.push(message);
    else if (check.status === "unchecked") unchecked.push(message);
  }
  return { exceeded, unchecked };
}
var ROW_REASON = {
  Build: buildReason,
  Cache: cacheReason,
  Services: servicesReason,
  "Pre-deploy": preDeployReason,
  Health: healthReason,
  Size: sizeReason,
  Hygiene: hygieneReason,
  Deploy: deployReason
};
function checkRows(report) {
  return checkStates(report).map(({ name, state }) => ({ name, state, reason: ROW_REASON[name](report, state) }));
}
function servicesReason(report) {
  const services = report.services ?? [];
  const failure = report.compose?.failure;
  if (services.length === 0) return failure ? escapeInline(failure, 200) : "none started (the app service has no depends_on)";
  const describe = (s) => {
    const name = inlineCode(s.name, 40);
    const { status, readyMs: ms, reason: why2 } = s;
    if (status === "ready")
      return `${name} ${s.condition === "service_completed_successfully" ? "done" : "ready"}${ms !== null ? ` in ${formatDuration(ms)}` : ""}`;
    return `${name} ${escapeInline(status)}${why2 && status !== "skipped" ? `: ${escapeInline(why2, 120)}` : ""}`;
  };
  return services.map(describe).join(" \xB7 ");
}
function preDeployReason(report, state) {
  const pre = report.preDeploy;
  if (!pre) return "";
  const { status, reason } = pre;
  const list2 = pre.commands.map((c) => `${inlineCode(c.command, 60)} ${preDeployOutcome(c)} in ${formatDuration(c.durationMs)}`);
  if (state === "pass") return `passed in ${formatDuration(pre.durationMs)} \xB7 ${list2.join(" \xB7 ")}`;
  if (state === "fail") return `${reason ? escapeInline(reason, 200) : "failed"} \xB7 the app was not started`;
  return `${escapeInline(status, 20)}${reason ? `: ${escapeInline(reason, 160)}` : ""}`;
}
function parityFacts(report) {
  const parity = report.health.parity;
  if (!parity) return null;
  const { why: why2, port, portSource } = parity;
  if (!parity.enabled) return { enabled: false, why: why2, parts: [] };
  const parts = [port !== null ? `PORT=${port} (${portSource})` : `port from ${portSource}`];
  if (parity.host) parts.push(`Host ${parity.host}`);
  parts.push(parity.statusSource === "railway" ? "only 200 passes" : `accepted ${parity.acceptedStatus} (health-status)`);
  const commandSource = parity.startCommandSource;
  parts.push(commandSource === "image" ? "the image's CMD" : `start command from ${commandSource}`);
  if (parity.pathSource) parts.push(`health path from ${parity.pathSource}`);
  const notMirrored = report.railway?.notMirrored ?? [];
  if (notMirrored.length) parts.push(`not mirrored: ${notMirrored.map((n) => n.setting.replace(/^deploy\./, "")).join(", ")}`);
  parts.push(`timeout ${formatDuration(report.health.timeoutMs)} (${parity.timeoutSource})`);
  return { enabled: true, why: why2, parts };
}
function parityLine(report) {
  const facts = parityFacts(report);
  if (!facts) return null;
  const why2 = escapeInline(facts.why, 80);
  if (!facts.enabled) return `Railway parity: off (${why2})`;
  return `Railway parity (${why2}): ${facts.parts.map((p) => escapeInline(p, 80)).join(" \xB7 ")}`;
}
function buildReason(report, state) {
  const { build } = report;
  if (state === "pass") return `built in ${formatDuration(build.durationMs)} \xB7 ${build.steps.cached}/${build.steps.total} steps cached`;
  const step = build.failure?.step;
  const message = build.failure?.message;
  const source = build.failure?.source;
  const where = source ? ` at ${inlineCode(sourceLabel(source), 60)}` : "";
  return `failed${where}${step ? ` ${where ? "in" : "at"} ${inlineCode(step, 60)}` : ""}${message ? `: ${escapeInline(message, 160)}` : ""}`;
}
function cacheReason(report) {
  const cache = report.build.cache;
  const note = cache.note;
  if (!cache.enabled) return `off${note ? `: ${escapeInline(note, 160)}` : ""}`;
  const warnings = cache.warnings;
  const parts = [];
  if (cache.restored) {
    const matched = cache.matchedKey;
    const exact = cache.exactHit || matched !== null && matched === cache.key;
    const bytes = cache.restoredBytes;
    parts.push(`restored ${exact ? "an exact match" : matched ? inlineCode(matched, 60) : "a cache"}${bytes !== null ? ` (${formatBytes2(bytes)})` : ""}`);
    const saved = cache.timeSavedMs;
    if (saved !== null && saved > 0) parts.push(`about ${formatDuration(saved)} of build time saved`);
  } else {
    parts.push(note ? `nothing restored: ${escapeInline(note, 120)}` : "no cache yet (cold build)");
  }
  if (cache.saved) {
    const bytes = cache.savedBytes;
    parts.push(`saved${bytes !== null ? ` ${formatBytes2(bytes)}` : ""}`);
  } else {
    const why2 = cache.saveReason;
    parts.push(`not saved${why2 ? `: ${escapeInline(why2, 100)}` : ""}`);
  }
  if (warnings.length) parts.push(escapeInline(warnings.join("; "), 200));
  return parts.join(" \xB7 ");
}
function healthTarget(report) {
  const { strategy, target } = report.health;
  const label = {
    http: "HTTP",
    healthcheck: "Docker HEALTHCHECK",
    tcp: "TCP",
    log: "log line",
    exit: "run to completion",
    none: "not run"
  };
  const name = label[strategy] ?? escapeInline(strategy, 40);
  if (!target) return name;
  const shown2 = strategy === "http" ? target.replace(/^(\w+ )?https?:\/\/[^/]+/, (_m, verb) => verb ?? "") : target;
  return `${name} ${inlineCode(shown2, 80)}`;
}
function healthReason(report, state) {
  const { health } = report;
  const reason = health.reason;
  const how = healthTarget(report);
  if (state === "pass") {
    const ttl = health.timeToHealthyMs;
    return `healthy${ttl !== null ? ` in ${formatDuration(ttl)}` : ""}${how ? ` \xB7 ${how}` : ""}`;
  }
  if (state === "fail") return `${reason ? escapeInline(reason, 160) : "not healthy"}${how ? ` \xB7 ${how}` : ""}`;
  const word = health.status === "cancelled" ? "cancelled" : "skipped";
  return reason ? `${word}: ${escapeInline(reason, 120)}` : word;
}
function sizeReason(report, state) {
  const size = measured(report);
  const { exceeded, unchecked } = budgetProblems(report.size);
  if (!size) return state === "fail" ? escapeInline(exceeded.join("; "), 240) : "not measured";
  const changes = sizeChanges(report);
  const approx = size.compressedSource === "engine-content-size" ? " (approx.)" : "";
  const parts = [];
  for (const c of changes) {
    if (c.current === null) continue;
    const label = c.kind === "compressed" ? `compressed${approx}` : "uncompressed";
    const change = c.delta !== null ? ` (${formatSigned(c.delta)}${c.percent !== null ? `, ${formatPercent(c.percent)}` : ""})` : "";
    parts.push(`${formatBytes2(c.current)} ${label}${change}`);
  }
  if (state === "fail") return `${escapeInline(exceeded.join("; "), 240)} \xB7 ${parts.join(" \xB7 ")}`;
  const baseline = size.baseline;
  const percent = headlineSizePercent(report, changes);
  if (!baseline || percent === null) {
    const why2 = size.baselineNote ?? (baseline ? "not comparable with the baseline" : "no baseline yet");
    return `${parts.join(" \xB7 ") || "measured"} \xB7 ${escapeInline(why2, 120)}`;
  }
  const icon = sizeChangeNoticeable(report) ? sizeIcon(percent) : "\u26AA";
  const extra = unchecked.length ? ` \xB7 ${escapeInline(unchecked.join("; "), 160)}` : "";
  return `${icon} ${parts.join(" \xB7 ")}${extra}`;
}
function hygieneFindings(report) {
  return report.hygiene.status === "skipped" ? [] : report.hygiene.findings;
}
function hygieneReason(report, state) {
  const hygiene = report.hygiene;
  if (state === "skip") {
    const reason = hygiene.reason;
    return reason ? `not checked: ${escapeInline(reason, 120)}` : "not checked";
  }
  const findings = state === "fail" ? hygiene.findings : hygieneFindings(report);
  const errors = findings.filter((f) => f.severity === "error");
  const warnings = findings.filter((f) => f.severity === "warning");
  const count = (n, word) => `${n} ${word}${n === 1 ? "" : "s"}`;
  const user = hygiene.user;
  const runsAs = user ? ` \xB7 runs as ${inlineCode(user, 40)}` : "";
  if (errors.length) {
    const failing2 = state === "fail";
    return `${count(errors.length, "error")}${warnings.length ? `, ${count(warnings.length, "warning")}` : ""}: ${escapeInline(errors[0]?.message ?? "", 120)}${failing2 ? "" : " (warn mode)"}${runsAs}`;
  }
  if (warnings.length) return `${count(warnings.length, "warning")}: ${escapeInline(warnings[0]?.message ?? "", 120)}${runsAs}`;
  const notes = findings.length;
  return `${notes ? `no problems \xB7 ${count(notes, "note")}` : "no findings"}${runsAs}`;
}
function deployTarget(deploy2) {
  const names = [deploy2.target?.serviceName, deploy2.target?.environmentName].filter((n) => typeof n === "string" && n !== "");
  return names.map((n) => escapeInline(n, 40)).join(" / ");
}
function deployedWhat(deploy2) {
  const { image, commit } = deploy2;
  if (deploy2.source === "image" && image) return `image ${inlineCode(image.replace(/@sha256:([a-f0-9]{12})[a-f0-9]+$/, "@sha256:$1\u2026"), 90)}`;
  return commit && /^[0-9a-f]{7,64}$/i.test(commit) ? `commit <code>${commit.slice(0, 7)}</code>` : "";
}
var DEPLOY_WORDS = {
  skipped: "skipped",
  success: "deployed",
  triggered: "deployment started (not waited for)",
  waiting: "waiting for approval on Railway",
  delegated: "Railway deploys it once the checks pass",
  failed: "failed",
  timeout: "no verdict from Railway in time",
  error: "could not deploy"
};
function deployReason(report, state) {
  const deploy2 = report.deploy;
  if (!deploy2) return "not part of this run";
  const { status, reason } = deploy2;
  if (state === "skip") return reason ? `skipped: ${escapeInline(reason, 160)}` : "skipped";
  const railway = deploy2.railwayStatus;
  const parts = [`${escapeInline(DEPLOY_WORDS[status], 60)}${railway ? ` (${escapeInline(railway, 30)})` : ""}`];
  const target = deployTarget(deploy2);
  if (target) parts.push(`to ${target}`);
  const url = safeUrl(deploy2.url);
  if (url && state === "pass") parts.push(`[${escapeInline(url.replace(/^https?:\/\//, "").replace(/\/$/, ""), 80)}](${url})`);
  const what = deployedWhat(deploy2);
  if (what) parts.push(what);
  parts.push(`in ${formatDuration(deploy2.durationMs)}`);
  const smoke2 = deploy2.smoke;
  if (smoke2) parts.push(`smoke check ${escapeInline(smoke2.status, 20)}${smoke2.httpStatus !== null ? ` (${smoke2.httpStatus})` : ""}`);
  const rollback = deploy2.rollback;
  if (rollback?.status === "rolled-back") parts.push(escapeInline(rollback.reason || "rolled back", 120));
  if (reason && state !== "pass") parts.push(escapeInline(reason, 160));
  return parts.join(" \xB7 ");
}

export {
  require_http,
  CacheStoreError,
  isUsableCache,
  imageScopeHash,
  newestKeys,
  runEntryKeys,
  obj,
  arr,
  num,
  str,
  readRunContext,
  runEventOf,
  isPullRequestEvent,
  isDefaultBranchPush,
  commitUrl,
  runUrl,
  DEFAULT_COMMENT_KEY,
  COMMENT_KEY_PATTERN,
  readPublishConfig,
  serviceLookup,
  SECRET_INPUTS,
  loadConfig,
  formatBytes2 as formatBytes,
  formatDuration,
  describeCache,
  deployLine,
  describeDrift,
  hygieneLine,
  sourceLabel,
  decisiveAnswer,
  latestAnswer,
  describeHttpAnswer,
  describeAnswerTimes,
  preDeployOutcome,
  planLines,
  stripControls,
  escapeInline,
  inlineCode,
  isSafeToken,
  codeBlock,
  codeDetails,
  safeUrl,
  sizeChanges,
  measured,
  checkStates,
  serviceState,
  deployState,
  STATE_ICON,
  NEUTRAL_PERCENT,
  SIZE_SCALE,
  sizeIcon,
  sizeChangeNoticeable,
  formatSigned,
  formatPercent,
  budgetProblems,
  checkRows,
  parityFacts,
  parityLine,
  healthTarget,
  hygieneFindings,
  deployTarget,
  toolVersion,
  BaselineStore,
  imageRepository,
  BaselineDirectory,
  stateDirectory,
  runPipeline,
  Secrets,
  exitCodeFor,
  openSession
};
/*! For license information please see shared-local+main.js.LEGAL.txt */
