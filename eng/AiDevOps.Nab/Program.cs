using System.Globalization;
using AiDevOps.Detection;

if (args.Length != 2)
{
    Console.Error.WriteLine("usage: AiDevOps.Nab DATA_DIR RESULTS_DIR");
    return 2;
}

var (dataDir, resultsDir) = (Path.GetFullPath(args[0]), Path.GetFullPath(args[1]));
var files = Directory.GetFiles(dataDir, "*.csv", SearchOption.AllDirectories);
Array.Sort(files, StringComparer.Ordinal);
var options = new DetectorOptions();
Parallel.ForEach(files, new ParallelOptions { MaxDegreeOfParallelism = 2 }, file =>
{
    var target = Path.Combine(resultsDir, Path.GetRelativePath(dataDir, file));
    Directory.CreateDirectory(Path.GetDirectoryName(target)!);
    NabFile.Score(file, target, options);
});
Console.WriteLine($"{files.Length} files scored into {resultsDir}");
return 0;

internal static class NabFile
{
    /// <summary>Streams one file through a fresh series detector; each row is scored before the next is read.</summary>
    public static void Score(string source, string target, DetectorOptions options)
    {
        var detector = new SeriesDetector(options);
        using var reader = new StreamReader(source);
        using var writer = new StreamWriter(target);
        var header = reader.ReadLine() ?? throw new InvalidDataException($"{source} is empty");
        var columns = header.Split(',');
        var timeColumn = Array.IndexOf(columns, "timestamp");
        var valueColumn = Array.IndexOf(columns, "value");
        if (timeColumn < 0 || valueColumn < 0)
        {
            throw new InvalidDataException($"{source} has no timestamp,value header");
        }

        writer.WriteLine("timestamp,value,anomaly_score,label");
        while (reader.ReadLine() is { } line)
        {
            if (line.Length == 0)
            {
                continue;
            }

            var fields = line.Split(',');
            var time = DateTimeOffset.Parse(fields[timeColumn], CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal);
            var value = double.TryParse(fields[valueColumn], NumberStyles.Float, CultureInfo.InvariantCulture, out var v) ? v : double.NaN;
            var assessment = detector.Observe(new Sample(time, value));
            writer.Write(fields[timeColumn]);
            writer.Write(',');
            writer.Write(fields[valueColumn]);
            writer.Write(',');
            writer.Write(assessment.Score.ToString("0.######", CultureInfo.InvariantCulture));
            writer.Write(',');
            writer.WriteLine(assessment.IsAnomalous ? '1' : '0');
        }
    }
}
