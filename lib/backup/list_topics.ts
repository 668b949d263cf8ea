/** backup.ts --list-topics: the cluster's topics with partitions and offsets. */
import { connectAdmin } from "../kafka/client.ts";
import { partitionOffsets } from "../kafka/topics.ts";
import type { BackupJob } from "../config/backup_job.ts";
import type { Logger } from "../log.ts";
import { formatTable } from "../util/table.ts";

export async function listTopics(job: BackupJob, logger: Logger, json: boolean): Promise<string> {
  const admin = await connectAdmin(job.kafka, "kafka-backup-list", logger);
  try {
    const topics = [];
    for (const topic of (await admin.listTopics()).sort()) {
      const partitions = await partitionOffsets(admin, topic);
      topics.push({ topic, partitions });
    }
    if (json) return JSON.stringify({ topics });
    const rows = topics.flatMap(({ topic, partitions }) =>
      partitions.map((p) => [topic, p.partition, p.low, p.high, p.high - p.low])
    );
    return formatTable(["TOPIC", "PARTITION", "LOW", "HIGH", "RECORDS"], rows);
  } finally {
    await admin.disconnect();
  }
}
