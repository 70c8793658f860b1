using System.Net;
using System.Text;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace ClickInsights.Web.Api;

/// <summary>The API's OpenAPI document (<c>/openapi/v1.json</c>) and a page that reads it to people (<c>/api</c>).</summary>
public static class ApiReference
{
    public const string DocumentPath = "/openapi/v1.json";

    public static Task DescribeAsync(OpenApiDocument document, OpenApiDocumentTransformerContext context, CancellationToken cancellationToken)
    {
        document.Info = new OpenApiInfo
        {
            Title = "ClickInsights API",
            Version = "v1",
            Description = "The figures of a workspace's campaigns (people and clicks, reported and real), every click with its verdict and " +
                          "reasons, recipients, domains, imports, decisions and settings. Each call carries a workspace's token: " +
                          "Authorization: Bearer ci_… (made by an owner or admin on the workspace's Settings page). Errors are RFC 9457 problem details.",
        };
        document.Components ??= new OpenApiComponents();
        document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>();
        document.Components.SecuritySchemes["Bearer"] = new OpenApiSecurityScheme
        {
            Type = SecuritySchemeType.Http,
            Scheme = "bearer",
            Description = "A workspace's API token (ci_…), read-only or read-write.",
        };
        document.Security = [new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference("Bearer", document)] = [] }];
        return Task.CompletedTask;
    }

    public static IEndpointRouteBuilder MapApiReference(this IEndpointRouteBuilder app)
    {
        app.MapOpenApi(DocumentPath.Replace("v1", "{documentName}", StringComparison.Ordinal)).AllowAnonymous();
        app.MapGet("/api", (EndpointDataSource endpoints) => Results.Content(Page(endpoints), "text/html; charset=utf-8")).AllowAnonymous().ExcludeFromDescription();
        return app;
    }

    /// <summary>Every endpoint of <c>/api/v1</c> with its method, summary and answers, from the same metadata the document is made of.</summary>
    private static string Page(EndpointDataSource endpoints)
    {
        static string E(string? text) => WebUtility.HtmlEncode(text ?? "");
        var rows = new StringBuilder();
        foreach (var endpoint in endpoints.Endpoints.OfType<RouteEndpoint>()
                     .Where(e => e.RoutePattern.RawText?.StartsWith(ApiEndpoints.Prefix, StringComparison.Ordinal) == true)
                     .OrderBy(e => e.RoutePattern.RawText, StringComparer.Ordinal))
        {
            var method = endpoint.Metadata.GetMetadata<HttpMethodMetadata>()?.HttpMethods.FirstOrDefault() ?? "GET";
            var summary = endpoint.Metadata.GetMetadata<Microsoft.AspNetCore.Http.Metadata.IEndpointSummaryMetadata>()?.Summary;
            var answers = string.Join(", ", endpoint.Metadata.OfType<Microsoft.AspNetCore.Http.Metadata.IProducesResponseTypeMetadata>().Select(p => p.StatusCode).Distinct().Order());
            var writes = endpoint.Metadata.GetMetadata<ApiWritesAttribute>() is not null ? "read-write token" : "any token";
            rows.Append($"<tr><td><code>{E(method)}</code></td><td><code>{E(endpoint.RoutePattern.RawText)}</code></td><td>{E(summary)}</td><td>{E(writes)}</td><td>{E(answers)}</td></tr>");
        }
        return $$"""
            <!DOCTYPE html>
            <html lang="en"><head><meta charset="utf-8" /><meta name="viewport" content="width=device-width, initial-scale=1" /><title>API reference · ClickInsights</title>
            <style>body{font-family:Roboto,"Segoe UI",Helvetica,Arial,sans-serif;max-width:1100px;margin:32px auto;padding:0 16px;color:#222;line-height:1.5}
            h1{font-size:28px;font-weight:500}table{border-collapse:collapse;width:100%}th,td{text-align:left;vertical-align:top;padding:6px 8px;border-bottom:1px solid #ddd}
            code{background:#f1f1f1;padding:1px 4px;overflow-wrap:anywhere}a{color:#0b57d0}.wide{overflow-x:auto}</style></head>
            <body><main><h1>ClickInsights API reference</h1>
            <p>JSON over one workspace: every call carries that workspace's token, <code>Authorization: Bearer ci_…</code>, made by an owner or
            admin in the workspace's Settings. A token reaches only its workspace; anything of another answers 404. Errors are
            <a href="https://www.rfc-editor.org/rfc/rfc9457">RFC 9457</a> problem details naming the field that was wrong; too many calls a minute answer 429 with Retry-After.</p>
            <p>The machine-readable description: <a href="{{DocumentPath}}">{{DocumentPath}}</a> (OpenAPI). Examples are in the README's API section.</p>
            <div class="wide"><table><thead><tr><th scope="col">Method</th><th scope="col">Address</th><th scope="col">What it does</th><th scope="col">Token</th><th scope="col">Answers</th></tr></thead>
            <tbody>{{rows}}</tbody></table></div></main></body></html>
            """;
    }
}
