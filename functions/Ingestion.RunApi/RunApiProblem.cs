using Microsoft.AspNetCore.Http;

namespace Ingestion.RunApi;

/// <summary>
/// An RFC 9457 problem answer. <see cref="Field"/> names the offending request member; the detail is written by us and
/// never repeats what the client sent (a request may carry patient ids).
/// </summary>
public sealed record RunApiProblem(int Status, string Code, string Title, string? Field = null)
{
    public IResult ToResult() => Results.Problem(new Microsoft.AspNetCore.Mvc.ProblemDetails
    {
        Status = Status,
        Title = Title,
        Type = "urn:ingestion:run-api:" + Code,
        Extensions = Field is null ? new Dictionary<string, object?> { ["code"] = Code } : new Dictionary<string, object?> { ["code"] = Code, ["field"] = Field },
    });

    public static RunApiProblem UnsupportedMediaType() => new(StatusCodes.Status415UnsupportedMediaType, "unsupported-media-type", "The body must be application/json.");
    public static RunApiProblem TooLarge(int limit) => new(StatusCodes.Status413PayloadTooLarge, "body-too-large", $"The body is larger than {limit} bytes.");
    public static RunApiProblem Invalid(string field, string title) => new(StatusCodes.Status400BadRequest, "invalid-field", title, field);
    public static RunApiProblem UnknownSource() => new(StatusCodes.Status404NotFound, "unknown-source", "No source with this id is configured.", "source");
    public static RunApiProblem RunNotFound() => new(StatusCodes.Status404NotFound, "run-not-found", "No run with this id.");
    public static RunApiProblem Conflict(string code, string title) => new(StatusCodes.Status409Conflict, code, title);
}
