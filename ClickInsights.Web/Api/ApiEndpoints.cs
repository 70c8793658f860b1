using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Threading.RateLimiting;
using ClickInsights.Core.Accounts;
using ClickInsights.Core.Api;
using ClickInsights.Core.Classification;
using ClickInsights.Core.Data;
using ClickInsights.Core.Import;
using ClickInsights.Core.Reports;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;

namespace ClickInsights.Web.Api;

/// <summary>Marks an endpoint that changes something: a read-only token is refused it.</summary>
public sealed class ApiWritesAttribute : Attribute;

/// <summary>
/// <c>/api/v1</c>: JSON over the workspace of the token that calls (<c>Authorization: Bearer ci_…</c>). Another
/// workspace's campaign, click, import or decision answers <c>404</c>, as one that does not exist. Errors are RFC 9457
/// problem details naming the field or position that was wrong.
/// </summary>
public static class ApiEndpoints
{
    public const string Prefix = "/api/v1";
    private const string CallerKey = "ClickInsights.ApiToken";

    public static IEndpointRouteBuilder MapApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup(Prefix)
            .AllowAnonymous()
            .DisableAntiforgery()
            .AddEndpointFilter(TokenFilterAsync)
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status429TooManyRequests)
            .WithTags("ClickInsights");

        api.MapGet("/workspaces", (HttpContext http, CancellationToken cancellationToken) => WorkspacesAsync(http, cancellationToken))
            .WithName("ListWorkspaces").WithSummary("The workspace this token belongs to (a token reaches one workspace).")
            .Produces<IReadOnlyList<WorkspaceDto>>();

        api.MapGet("/campaigns", async (HttpContext http, ReportService reports, IDbContextFactory<ClickInsightsDbContext> dbFactory, CancellationToken cancellationToken) =>
        {
            var workspace = Caller(http).WorkspaceId;
            var rows = await reports.CampaignsAsync(workspace, cancellationToken);
            var ids = await ProviderIdsAsync(dbFactory, workspace, cancellationToken);
            return Results.Ok(rows.Select(r => CampaignDto.Of(r, ids.GetValueOrDefault(r.Id, ""))).ToList());
        }).WithName("ListCampaigns").WithSummary("Every campaign of the workspace with its figures: people (distinct recipients) and clicks, reported and real.")
            .Produces<IReadOnlyList<CampaignDto>>();

        api.MapGet("/campaigns/{id:int}", async (int id, HttpContext http, ReportService reports, IDbContextFactory<ClickInsightsDbContext> dbFactory, CancellationToken cancellationToken) =>
        {
            if (await CampaignOfAsync(http, reports, id, cancellationToken) is not { } detail)
            {
                return NoCampaign(id);
            }
            var ids = await ProviderIdsAsync(dbFactory, detail.WorkspaceId, cancellationToken);
            var dto = CampaignDto.Of(detail.Campaign, ids.GetValueOrDefault(id, ""));
            // The figures' own fingerprint: a client asking again with If-None-Match gets 304 until they change.
            var etag = $"\"{Convert.ToHexStringLower(SHA256.HashData(JsonSerializer.SerializeToUtf8Bytes(dto)))[..32]}\"";
            http.Response.Headers.ETag = etag;
            return http.Request.Headers.IfNoneMatch.Any(v => v is not null && v.Split(',').Select(t => t.Trim()).Contains(etag))
                ? Results.StatusCode(StatusCodes.Status304NotModified)
                : Results.Ok(dto);
        }).WithName("GetCampaign").WithSummary("One campaign's figures, with an ETag (send it back in If-None-Match: 304 while they are unchanged).")
            .Produces<CampaignDto>().Produces(StatusCodes.Status304NotModified).ProducesProblem(StatusCodes.Status404NotFound);

        api.MapGet("/campaigns/{id:int}/clicks", async (int id, string? verdict, string? domain, string? reason, int? link_id, string? after, int? limit,
            HttpContext http, ReportService reports, ClickReports clicks, CancellationToken cancellationToken) =>
        {
            if (await CampaignOfAsync(http, reports, id, cancellationToken) is null)
            {
                return NoCampaign(id);
            }
            Verdict? which = null;
            if (!string.IsNullOrEmpty(verdict))
            {
                if (!ApiNames.TryVerdict(verdict, out var v))
                {
                    return Invalid("verdict", $"\"{verdict}\" is not a verdict: use human, suspect or bot.");
                }
                which = v;
            }
            var size = limit ?? 100;
            if (size is < 1 or > 1000)
            {
                return Invalid("limit", "limit must lie between 1 and 1000.");
            }
            (long, long)? position = null;
            if (!string.IsNullOrEmpty(after))
            {
                if (Cursor.Read(after) is not { } read)
                {
                    return Invalid("after", "after must be the next value of a page of this list, as given.");
                }
                position = read;
            }
            var filter = new ClickFilter(which, string.IsNullOrWhiteSpace(reason) ? null : reason.Trim(), domain, link_id);
            var items = await clicks.ClicksAfterAsync(id, filter, position, size + 1, cancellationToken);
            var page = items.Take(size).Select(ClickDto.Of).ToList();
            var next = items.Count > size ? Cursor.Of(items[size - 1]) : null;
            return Results.Ok(new ClickPageDto(page, next));
        }).WithName("ListClicks").WithSummary("A campaign's clicks in time order, each with its verdict, score and reasons; keyset-paged: pass the page's next as after.")
            .Produces<ClickPageDto>().ProducesValidationProblem().ProducesProblem(StatusCodes.Status404NotFound);

        api.MapGet("/campaigns/{id:int}/recipients", async (int id, string? list, HttpContext http, ReportService reports, ClickReports clicks, CancellationToken cancellationToken) =>
        {
            if (await CampaignOfAsync(http, reports, id, cancellationToken) is null)
            {
                return NoCampaign(id);
            }
            ClickerList? which = list switch
            {
                null or "" or "all" => ClickerList.All,
                "people" => ClickerList.People,
                "scanner-only" => ClickerList.ScannerOnly,
                _ => null,
            };
            if (which is null)
            {
                return Invalid("list", $"\"{list}\" is not a list: use people, scanner-only or all.");
            }
            var rows = await clicks.ClickersAsync(id, which.Value, cancellationToken);
            return Results.Ok(rows.Select(c => new RecipientDto(c.Email, c.Domain, c.Clicks, c.HumanClicks, c.SuspectClicks, c.BotClicks,
                c.ClickedAsPerson ? "person" : c.ScannerOnly ? "scanner only" : "uncertain")).ToList());
        }).WithName("ListRecipients").WithSummary("A campaign's clickers: people (at least one click by a person), scanner-only (every click a scanner's: keep them out of lead scores) or all.")
            .Produces<IReadOnlyList<RecipientDto>>().ProducesValidationProblem().ProducesProblem(StatusCodes.Status404NotFound);

        api.MapGet("/domains", async (HttpContext http, DomainReport domains, CancellationToken cancellationToken) =>
        {
            var rows = await domains.DomainsAsync(Caller(http).WorkspaceId, cancellationToken);
            return Results.Ok(rows.Select(d => new DomainDto(d.Domain, d.Recipients, d.RawClickers, d.HumanClickers, d.Clicks, d.HumanClicks, d.SuspectClicks, d.BotClicks, d.Gateway)).ToList());
        }).WithName("ListDomains").WithSummary("Recipient domains with their clicks by verdict and the mail gateway found in their MX records.")
            .Produces<IReadOnlyList<DomainDto>>();

        api.MapGet("/imports", async (HttpContext http, IDbContextFactory<ClickInsightsDbContext> dbFactory, CancellationToken cancellationToken) =>
        {
            await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
            var workspace = Caller(http).WorkspaceId;
            var rows = await db.Imports.AsNoTracking().Where(i => i.WorkspaceId == workspace).OrderByDescending(i => i.Id).Take(200)
                .Select(i => new ImportRecordDto(i.Id, i.FileName, i.Format, i.StartedAt, i.FinishedAt, i.EventsRead, i.EventsAdded, i.DuplicatesSkipped, i.Clicks, i.Campaigns))
                .ToListAsync(cancellationToken);
            return Results.Ok(rows);
        }).WithName("ListImports").WithSummary("The workspace's import history (files, syncs and webhook batches), newest first.")
            .Produces<IReadOnlyList<ImportRecordDto>>();

        api.MapPost("/imports", async (HttpContext http, ApiImports imports, IOptions<UploadOptions> uploads, IOptions<StorageOptions> storage, CancellationToken cancellationToken) =>
        {
            var request = http.Request;
            var limit = uploads.Value.MaxUploadBytes;
            if (request.ContentLength > limit)
            {
                return Problem(StatusCodes.Status413PayloadTooLarge, "File too large", $"The file is larger than {uploads.Value.MaxUploadMegabytes:N0} MB; import it with the command line instead.");
            }
            var body = request.Body;
            var name = request.Query["file_name"].ToString();
            // A form upload (curl -F file=@export.json): the file is the first part that is one, read as it streams in.
            if (Microsoft.Net.Http.Headers.MediaTypeHeaderValue.TryParse(request.ContentType, out var type) && type.MediaType.Equals("multipart/form-data", StringComparison.OrdinalIgnoreCase)
                && Microsoft.Net.Http.Headers.HeaderUtilities.RemoveQuotes(type.Boundary).Value is { Length: > 0 and <= 200 } boundary)
            {
                var reader = new Microsoft.AspNetCore.WebUtilities.MultipartReader(boundary, request.Body);
                Microsoft.AspNetCore.WebUtilities.MultipartSection? section;
                while ((section = await reader.ReadNextSectionAsync(cancellationToken)) is not null
                       && !(Microsoft.Net.Http.Headers.ContentDispositionHeaderValue.TryParse(section.ContentDisposition, out var part) && part.IsFileDisposition()))
                {
                }
                if (section is null)
                {
                    return Invalid("body", "The form carried no file: send it as a file part (curl -F file=@export.json).");
                }
                Microsoft.Net.Http.Headers.ContentDispositionHeaderValue.TryParse(section.ContentDisposition, out var file);
                body = section.Body;
                if (name.Length == 0)
                {
                    name = Microsoft.Net.Http.Headers.HeaderUtilities.RemoveQuotes(file!.FileNameStar.HasValue ? file.FileNameStar : file.FileName).Value ?? "";
                }
            }
            if (name.Length == 0 && request.Headers.ContentDisposition.ToString() is { Length: > 0 } disposition
                && System.Net.Http.Headers.ContentDispositionHeaderValue.TryParse(disposition, out var parsed))
            {
                name = (parsed.FileNameStar ?? parsed.FileName ?? "").Trim('"');
            }
            name = Path.GetFileName(name);
            if (name.Length is 0 or > 200)
            {
                return Invalid("file_name", "Name the file (?file_name=export.json or a Content-Disposition header): its name tells a CSV from a ZIP in the history.");
            }
            var folder = Path.Combine(Path.GetDirectoryName(storage.Value.ResolvedDatabasePath) ?? Path.GetTempPath(), "uploads");
            Directory.CreateDirectory(folder);
            var path = Path.Combine(folder, $"api-{Guid.NewGuid():N}.upload");
            try
            {
                await using (var file = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, 81_920, FileOptions.Asynchronous))
                {
                    var buffer = new byte[81_920];
                    long total = 0;
                    int read;
                    while ((read = await body.ReadAsync(buffer, cancellationToken)) > 0)
                    {
                        total += read;
                        if (total > limit)
                        {
                            throw new InvalidDataException();
                        }
                        await file.WriteAsync(buffer.AsMemory(0, read), cancellationToken);
                    }
                    if (total == 0)
                    {
                        throw new EndOfStreamException();
                    }
                }
            }
            catch (Exception e) when (e is InvalidDataException or EndOfStreamException or BadHttpRequestException)
            {
                File.Delete(path);
                return e is EndOfStreamException
                    ? Invalid("body", "The request carried no file: send the file's bytes as the body.")
                    : Problem(StatusCodes.Status413PayloadTooLarge, "File too large", $"The file is larger than {uploads.Value.MaxUploadMegabytes:N0} MB; import it with the command line instead.");
            }
            var id = imports.Start(Caller(http).WorkspaceId, path, name);
            var status = imports.Status(Caller(http).WorkspaceId, id)!;
            return Results.Accepted($"{Prefix}/imports/{id}", status);
        }).WithMetadata(new ApiWritesAttribute())
            .WithName("StartImport").WithSummary("Sends a file (any format the dashboard imports, or a ZIP of them) as the body, named by ?file_name=, or as a form's file part; answered 202 with the import's address.")
            .Accepts<Stream>("application/octet-stream", "*/*")
            .Produces<ImportStatusDto>(StatusCodes.Status202Accepted).ProducesValidationProblem().ProducesProblem(StatusCodes.Status413PayloadTooLarge).ProducesProblem(StatusCodes.Status403Forbidden);

        api.MapGet("/imports/{id}", (string id, HttpContext http, ApiImports imports) =>
            imports.Status(Caller(http).WorkspaceId, id) is { } status ? Results.Ok(status) : Problem(StatusCodes.Status404NotFound, "Not found", $"There is no import {id} sent through the API."))
            .WithName("GetImport").WithSummary("An import sent through the API: queued, running, done (with what it stored) or failed (with why).")
            .Produces<ImportStatusDto>().ProducesProblem(StatusCodes.Status404NotFound);

        api.MapGet("/decisions", async (HttpContext http, OverrideService overrides, CancellationToken cancellationToken) =>
            Results.Ok((await overrides.ListAsync(Caller(http).WorkspaceId, cancellationToken)).Select(Decision).ToList()))
            .WithName("ListDecisions").WithSummary("People's decisions about clicks, recipients and domains (they win over the classifier).")
            .Produces<IReadOnlyList<DecisionDto>>();

        api.MapPost("/decisions", async (DecisionRequest body, HttpContext http, OverrideService overrides, IDbContextFactory<ClickInsightsDbContext> dbFactory, CancellationToken cancellationToken) =>
        {
            var workspace = Caller(http).WorkspaceId;
            if (!Enum.TryParse<OverrideScope>(body.Scope, ignoreCase: true, out var scope) || !Enum.IsDefined(scope) || body.Scope!.Any(char.IsDigit))
            {
                return Invalid("scope", "scope must be click, recipient or domain.");
            }
            if (!ApiNames.TryVerdict(body.Verdict, out var verdict))
            {
                return Invalid("verdict", "verdict must be human, suspect or bot.");
            }
            var key = body.Key?.Trim() ?? "";
            if (key.Length is 0 or > 320)
            {
                return Invalid("key", "key must be the click's id, the recipient's address or the domain.");
            }
            if (body.Note is { Length: > 500 })
            {
                return Invalid("note", "note is at most 500 characters.");
            }
            await using (var db = await dbFactory.CreateDbContextAsync(cancellationToken))
            {
                var lower = key.ToLowerInvariant();
                var exists = scope switch
                {
                    OverrideScope.Click => long.TryParse(key, NumberStyles.None, CultureInfo.InvariantCulture, out var eventId)
                        && await db.Events.AnyAsync(e => e.Id == eventId && e.WorkspaceId == workspace && e.Type == EventType.Click, cancellationToken),
                    OverrideScope.Recipient => await db.Recipients.AnyAsync(r => r.WorkspaceId == workspace && r.Email == lower, cancellationToken),
                    _ => await db.Recipients.AnyAsync(r => r.WorkspaceId == workspace && r.Domain == lower, cancellationToken),
                };
                if (!exists)
                {
                    return Problem(StatusCodes.Status404NotFound, "Not found", $"This workspace has no {ApiNames.Scope(scope)} \"{key}\".", "key");
                }
            }
            await overrides.SetAsync(workspace, scope, key, verdict, body.Note, cancellationToken, by: $"API token {Caller(http).Name}");
            var saved = (await overrides.ListAsync(workspace, cancellationToken)).First(o => o.Scope == scope && o.Key == (scope == OverrideScope.Click ? key : key.ToLowerInvariant()));
            return Results.Created($"{Prefix}/decisions/{saved.Id}", Decision(saved));
        }).WithMetadata(new ApiWritesAttribute())
            .WithName("MakeDecision").WithSummary("Decides a click, a recipient or a domain as human, suspect or bot; its campaigns are recomputed before the answer.")
            .Produces<DecisionDto>(StatusCodes.Status201Created).ProducesValidationProblem().ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status403Forbidden);

        api.MapDelete("/decisions/{id:int}", async (int id, HttpContext http, OverrideService overrides, CancellationToken cancellationToken) =>
        {
            var workspace = Caller(http).WorkspaceId;
            if (!(await overrides.ListAsync(workspace, cancellationToken)).Any(o => o.Id == id))
            {
                return Problem(StatusCodes.Status404NotFound, "Not found", $"There is no decision {id}.");
            }
            await overrides.RemoveAsync(workspace, id, cancellationToken);
            return Results.NoContent();
        }).WithMetadata(new ApiWritesAttribute())
            .WithName("UndoDecision").WithSummary("Undoes a decision; its campaigns are recomputed before the answer.")
            .Produces(StatusCodes.Status204NoContent).ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status403Forbidden);

        api.MapGet("/settings", async (HttpContext http, IDbContextFactory<ClickInsightsDbContext> dbFactory, CancellationToken cancellationToken) =>
        {
            var workspace = await WorkspaceAsync(dbFactory, Caller(http).WorkspaceId, cancellationToken);
            return Results.Ok(Settings(ClassificationService.SettingsOf(workspace), workspace.HoneypotPattern));
        }).WithName("GetSettings").WithSummary("The classifier's settings of the workspace (thresholds, weights, windows) and the hidden link's pattern.")
            .Produces<SettingsDto>();

        api.MapPut("/settings", async (JsonElement body, HttpContext http, IDbContextFactory<ClickInsightsDbContext> dbFactory, SettingsPreviewService settings, CancellationToken cancellationToken) =>
        {
            var workspace = await WorkspaceAsync(dbFactory, Caller(http).WorkspaceId, cancellationToken);
            if (body.ValueKind != JsonValueKind.Object)
            {
                return Invalid("body", "Send a JSON object: {\"classifier\": {\"bot_threshold\": 75}, \"honeypot_pattern\": \"/trap-7f3a\"}.");
            }
            var current = ClassificationService.SettingsOf(workspace);
            var honeypot = workspace.HoneypotPattern;
            var values = JsonSerializer.SerializeToNode(current, SettingsJson)!.AsObject();
            foreach (var property in body.EnumerateObject())
            {
                switch (property.Name)
                {
                    case "honeypot_pattern":
                        honeypot = property.Value.ValueKind switch
                        {
                            JsonValueKind.Null => null,
                            JsonValueKind.String => property.Value.GetString(),
                            _ => "\0",
                        };
                        if (honeypot == "\0")
                        {
                            return Invalid("honeypot_pattern", "honeypot_pattern must be text or null.");
                        }
                        break;
                    case "classifier" when property.Value.ValueKind == JsonValueKind.Object:
                        foreach (var setting in property.Value.EnumerateObject())
                        {
                            if (!values.ContainsKey(setting.Name))
                            {
                                return Invalid($"classifier.{setting.Name}", $"There is no setting \"{setting.Name}\"; GET {Prefix}/settings lists them.");
                            }
                            if (setting.Value.ValueKind != JsonValueKind.Number)
                            {
                                return Invalid($"classifier.{setting.Name}", $"{setting.Name} must be a number.");
                            }
                            values[setting.Name] = System.Text.Json.Nodes.JsonValue.Create(setting.Value.GetDouble());
                        }
                        break;
                    default:
                        return Invalid(property.Name, $"\"{property.Name}\" is not a part of the settings: send classifier (an object) and honeypot_pattern.");
                }
            }
            ClassifierSettings next;
            try
            {
                next = values.Deserialize<ClassifierSettings>(SettingsJson)!;
            }
            catch (JsonException e)
            {
                return Invalid(e.Path is { Length: > 2 } path ? "classifier." + path[2..] : "classifier", "A setting that counts (a weight, a threshold) must be a whole number.");
            }
            if (next.Problem() is { } problem)
            {
                return Invalid("classifier." + JsonNamingPolicy.SnakeCaseLower.ConvertName(FieldOf(next, problem)), problem);
            }
            if (await settings.HoneypotProblemAsync(workspace.Id, honeypot, cancellationToken) is { } honeypotProblem)
            {
                return Invalid("honeypot_pattern", honeypotProblem);
            }
            await settings.SaveAsync(workspace.Id, next, honeypot, null, cancellationToken);
            return Results.Ok(Settings(next, string.IsNullOrWhiteSpace(honeypot) ? null : honeypot.Trim()));
        }).WithMetadata(new ApiWritesAttribute())
            .WithName("ChangeSettings").WithSummary("Changes some settings (the others stay), checked as the settings page checks them; every campaign is recomputed before the answer.")
            .Produces<SettingsDto>().ProducesValidationProblem().ProducesProblem(StatusCodes.Status403Forbidden);

        return app;
    }

    private static readonly JsonSerializerOptions SettingsJson = new(JsonSerializerDefaults.Web) { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

    /// <summary>The setting a problem of <see cref="ClassifierSettings.Problem"/> is about (its messages name a weight by its property).</summary>
    private static string FieldOf(ClassifierSettings settings, string problem)
    {
        var named = typeof(ClassifierSettings).GetProperties()
            .FirstOrDefault(p => System.Text.RegularExpressions.Regex.IsMatch(problem, $@"\b{p.Name}\b"));
        return named?.Name
            ?? (settings.SuspectThreshold < 1 || problem.Contains("suspect threshold", StringComparison.Ordinal) ? nameof(ClassifierSettings.SuspectThreshold)
            : settings.BotThreshold > 100 ? nameof(ClassifierSettings.BotThreshold)
            : settings.EarlyWindowSeconds <= 0 ? nameof(ClassifierSettings.EarlyWindowSeconds)
            : settings.BurstWindowSeconds <= 0 ? nameof(ClassifierSettings.BurstWindowSeconds)
            : nameof(ClassifierSettings.DomainPatternShare));
    }

    private static SettingsDto Settings(ClassifierSettings settings, string? honeypot) => new(
        JsonSerializer.SerializeToNode(settings, SettingsJson)!.AsObject().ToDictionary(p => p.Key, p => p.Value!.GetValue<double>()),
        honeypot);

    private static DecisionDto Decision(VerdictOverride o) =>
        new(o.Id, ApiNames.Scope(o.Scope), o.Key, WebhookOutbox.Name(o.Verdict), o.Note, o.CreatedAt);

    private static async Task<IResult> WorkspacesAsync(HttpContext http, CancellationToken cancellationToken)
    {
        var dbFactory = http.RequestServices.GetRequiredService<IDbContextFactory<ClickInsightsDbContext>>();
        var workspace = await WorkspaceAsync(dbFactory, Caller(http).WorkspaceId, cancellationToken);
        return Results.Ok(new List<WorkspaceDto> { new(workspace.Id, workspace.Name) });
    }

    private static async Task<Workspace> WorkspaceAsync(IDbContextFactory<ClickInsightsDbContext> dbFactory, int id, CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        return await db.Workspaces.AsNoTracking().FirstAsync(w => w.Id == id, cancellationToken);
    }

    private static async Task<Dictionary<int, string>> ProviderIdsAsync(IDbContextFactory<ClickInsightsDbContext> dbFactory, int workspaceId, CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        return await db.Campaigns.AsNoTracking().Where(c => c.WorkspaceId == workspaceId).ToDictionaryAsync(c => c.Id, c => c.ExternalId, cancellationToken);
    }

    /// <summary>The campaign when it is the caller's workspace's; null for one of another workspace, as for none.</summary>
    private static async Task<CampaignDetail?> CampaignOfAsync(HttpContext http, ReportService reports, int id, CancellationToken cancellationToken) =>
        await reports.CampaignAsync(id, cancellationToken) is { } detail && detail.WorkspaceId == Caller(http).WorkspaceId ? detail : null;

    private static IResult NoCampaign(int id) => Problem(StatusCodes.Status404NotFound, "Not found", $"There is no campaign {id}.");

    public static ApiToken Caller(HttpContext http) => (ApiToken)http.Items[CallerKey]!;

    /// <summary>A problem with one field or position of the request (RFC 9457, with the field named).</summary>
    private static IResult Invalid(string field, string detail) =>
        Results.ValidationProblem(new Dictionary<string, string[]> { [field] = [detail] }, detail, title: "The request is not as expected", extensions: new Dictionary<string, object?> { ["field"] = field });

    private static IResult Problem(int status, string title, string detail, string? field = null) =>
        Results.Problem(detail, statusCode: status, title: title, extensions: field is null ? null : new Dictionary<string, object?> { ["field"] = field });

    /// <summary>Every call: a valid token of a workspace, within its calls a minute, allowed to write if the endpoint writes.</summary>
    private static async ValueTask<object?> TokenFilterAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var http = context.HttpContext;
        var header = http.Request.Headers.Authorization.ToString();
        var secret = header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) ? header[7..].Trim() : null;
        var token = await http.RequestServices.GetRequiredService<ApiTokenService>().FindAsync(secret, http.RequestAborted);
        if (token is null)
        {
            http.Response.Headers.WWWAuthenticate = "Bearer realm=\"ClickInsights API\"";
            return Problem(StatusCodes.Status401Unauthorized, "Not signed in",
                secret is null ? "Send a token: Authorization: Bearer ci_… (made on the workspace's Settings page)." : "This token is unknown, expired or revoked. Make a new one on the workspace's Settings page.");
        }
        using var lease = http.RequestServices.GetRequiredService<ApiGate>().PerToken.AttemptAcquire(token.TokenHash);
        if (!lease.IsAcquired)
        {
            http.Response.Headers.RetryAfter = "60";
            return Problem(StatusCodes.Status429TooManyRequests, "Too many calls", "This token made more calls this minute than it may; try again after the time in Retry-After.");
        }
        var writes = http.GetEndpoint()?.Metadata.GetMetadata<ApiWritesAttribute>() is not null;
        if (writes && !token.CanWrite)
        {
            return Problem(StatusCodes.Status403Forbidden, "Read-only token", $"Token \"{token.Name}\" may only read. Make a read-write token to change anything.");
        }
        http.Items[CallerKey] = token;
        var result = await next(context);
        if (token.CanWrite)
        {
            // Every use of a token that can change things is in the workspace's audit log.
            await http.RequestServices.GetRequiredService<AuditLog>().RecordAsync(token.WorkspaceId, $"API token \"{token.Name}\" ({token.Prefix}…)", AuditActions.ApiCall,
                $"{http.Request.Method} {http.Request.Path}{http.Request.QueryString}", CancellationToken.None);
        }
        return result;
    }

    /// <summary>The <c>after</c> of a page: the last click's time and id, opaque to the client.</summary>
    private static class Cursor
    {
        public static string Of(ClickListItem last) =>
            ShareLinkService.Base64Url(Encoding.UTF8.GetBytes(FormattableString.Invariant($"{new DateTimeOffset(last.ClickedAt, TimeSpan.Zero).ToUnixTimeMilliseconds()}:{last.EventId}")));

        public static (long, long)? Read(string text)
        {
            try
            {
                var padded = text.Replace('-', '+').Replace('_', '/');
                padded += new string('=', (4 - padded.Length % 4) % 4);
                var parts = Encoding.UTF8.GetString(Convert.FromBase64String(padded)).Split(':');
                return parts.Length == 2 && long.TryParse(parts[0], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var ms)
                    && long.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var id) ? (ms, id) : null;
            }
            catch (FormatException)
            {
                return null;
            }
        }
    }
}

/// <summary>The API's calls a minute per token.</summary>
public sealed class ApiGate(IOptions<ApiOptions> options) : IDisposable
{
    public PartitionedRateLimiter<string> PerToken { get; } = PartitionedRateLimiter.Create<string, string>(key => RateLimitPartition.GetFixedWindowLimiter(key,
        _ => new FixedWindowRateLimiterOptions { PermitLimit = options.Value.RequestsPerMinute, Window = TimeSpan.FromMinutes(1), QueueLimit = 0 }));

    public void Dispose() => PerToken.Dispose();
}
