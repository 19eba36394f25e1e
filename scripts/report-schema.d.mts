export declare const SCHEMA_FILE: string;
export declare function reportSchemaText(): string;
