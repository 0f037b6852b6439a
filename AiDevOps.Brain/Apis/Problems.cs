using Microsoft.AspNetCore.Http.HttpResults;

namespace AiDevOps.Brain.Apis;

public static class Problems
{
    /// <summary>A validation problem naming one field, as the query parameters of the read APIs need it.</summary>
    public static ValidationProblem Invalid(string field, string message) =>
        TypedResults.ValidationProblem(new Dictionary<string, string[]> { [field] = [message] });
}
