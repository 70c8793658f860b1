using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace ClickInsights.Core.Data.Migrations
{
    /// <inheritdoc />
    public partial class CompactEventsAndVerdicts : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "RawBlocks",
                columns: table => new
                {
                    Id = table.Column<long>(type: "INTEGER", nullable: false),
                    WorkspaceId = table.Column<int>(type: "INTEGER", nullable: false),
                    Data = table.Column<byte[]>(type: "BLOB", nullable: false),
                    Compressed = table.Column<bool>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_RawBlocks", x => x.Id);
                    table.ForeignKey(
                        name: "FK_RawBlocks_Workspaces_WorkspaceId",
                        column: x => x.WorkspaceId,
                        principalTable: "Workspaces",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.AddColumn<long>(
                name: "RawBlockId",
                table: "Events",
                type: "INTEGER",
                nullable: true);

            migrationBuilder.AddColumn<int>(
                name: "RawLength",
                table: "Events",
                type: "INTEGER",
                nullable: false,
                defaultValue: 0);

            migrationBuilder.AddColumn<int>(
                name: "RawOffset",
                table: "Events",
                type: "INTEGER",
                nullable: false,
                defaultValue: 0);

            // Raw records of events stored before blocks existed: one uncompressed block each, the text unchanged.
            migrationBuilder.Sql("""
                INSERT INTO "RawBlocks" ("Id", "WorkspaceId", "Data", "Compressed")
                SELECT "Id", "WorkspaceId", CAST("Raw" AS BLOB), 0 FROM "Events";
                UPDATE "Events" SET "RawBlockId" = "Id", "RawOffset" = 0, "RawLength" = length(CAST("Raw" AS BLOB));
                """);

            migrationBuilder.DropForeignKey(
                name: "FK_Events_CampaignLinks_LinkId",
                table: "Events");

            migrationBuilder.DropForeignKey(
                name: "FK_Events_UserAgents_UserAgentId",
                table: "Events");

            migrationBuilder.DropForeignKey(
                name: "FK_Events_Workspaces_WorkspaceId",
                table: "Events");

            migrationBuilder.DropIndex(
                name: "IX_Events_LinkId",
                table: "Events");

            migrationBuilder.DropIndex(
                name: "IX_Events_UserAgentId",
                table: "Events");

            migrationBuilder.DropIndex(
                name: "IX_Events_WorkspaceId_Source_ExternalId",
                table: "Events");

            migrationBuilder.DropColumn(
                name: "Raw",
                table: "Events");

            migrationBuilder.DropColumn(
                name: "ClassifiedAt",
                table: "ClickVerdicts");

            migrationBuilder.DropColumn(
                name: "ClassifierVersion",
                table: "ClickVerdicts");

            migrationBuilder.DropColumn(
                name: "ReasonCodes",
                table: "ClickVerdicts");

            migrationBuilder.DropColumn(
                name: "ReasonRefs",
                table: "ClickVerdicts");

            migrationBuilder.DropColumn(
                name: "SettingsHash",
                table: "ClickVerdicts");

            migrationBuilder.AddColumn<long>(
                name: "IdHash",
                table: "Events",
                type: "INTEGER",
                nullable: false,
                defaultValue: 0L);

            migrationBuilder.AddColumn<int>(
                name: "ReasonSet",
                table: "ClickVerdicts",
                type: "INTEGER",
                nullable: false,
                defaultValue: 0);

            migrationBuilder.AddColumn<string>(
                name: "ClassifierVersion",
                table: "CampaignSummaries",
                type: "TEXT",
                maxLength: 40,
                nullable: false,
                defaultValue: "");

            migrationBuilder.AddColumn<string>(
                name: "SettingsHash",
                table: "CampaignSummaries",
                type: "TEXT",
                maxLength: 64,
                nullable: false,
                defaultValue: "");

            migrationBuilder.CreateTable(
                name: "CampaignReasonSets",
                columns: table => new
                {
                    CampaignId = table.Column<int>(type: "INTEGER", nullable: false),
                    Index = table.Column<int>(type: "INTEGER", nullable: false),
                    Codes = table.Column<string>(type: "TEXT", nullable: false),
                    Refs = table.Column<string>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_CampaignReasonSets", x => new { x.CampaignId, x.Index });
                    table.ForeignKey(
                        name: "FK_CampaignReasonSets_Campaigns_CampaignId",
                        column: x => x.CampaignId,
                        principalTable: "Campaigns",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "IX_Events_WorkspaceId_IdHash",
                table: "Events",
                columns: new[] { "WorkspaceId", "IdHash" });

            migrationBuilder.CreateIndex(
                name: "IX_RawBlocks_WorkspaceId",
                table: "RawBlocks",
                column: "WorkspaceId");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "CampaignReasonSets");

            migrationBuilder.DropTable(
                name: "RawBlocks");

            migrationBuilder.DropIndex(
                name: "IX_Events_WorkspaceId_IdHash",
                table: "Events");

            migrationBuilder.DropColumn(
                name: "IdHash",
                table: "Events");

            migrationBuilder.DropColumn(
                name: "RawBlockId",
                table: "Events");

            migrationBuilder.DropColumn(
                name: "RawLength",
                table: "Events");

            migrationBuilder.DropColumn(
                name: "RawOffset",
                table: "Events");

            migrationBuilder.DropColumn(
                name: "ReasonSet",
                table: "ClickVerdicts");

            migrationBuilder.DropColumn(
                name: "ClassifierVersion",
                table: "CampaignSummaries");

            migrationBuilder.DropColumn(
                name: "SettingsHash",
                table: "CampaignSummaries");

            migrationBuilder.AddColumn<string>(
                name: "Raw",
                table: "Events",
                type: "TEXT",
                nullable: false,
                defaultValue: "");

            migrationBuilder.AddColumn<DateTime>(
                name: "ClassifiedAt",
                table: "ClickVerdicts",
                type: "TEXT",
                nullable: false,
                defaultValue: new DateTime(1, 1, 1, 0, 0, 0, 0, DateTimeKind.Unspecified));

            migrationBuilder.AddColumn<string>(
                name: "ClassifierVersion",
                table: "ClickVerdicts",
                type: "TEXT",
                maxLength: 40,
                nullable: false,
                defaultValue: "");

            migrationBuilder.AddColumn<string>(
                name: "ReasonCodes",
                table: "ClickVerdicts",
                type: "TEXT",
                nullable: false,
                defaultValue: "");

            migrationBuilder.AddColumn<string>(
                name: "ReasonRefs",
                table: "ClickVerdicts",
                type: "TEXT",
                nullable: false,
                defaultValue: "");

            migrationBuilder.AddColumn<string>(
                name: "SettingsHash",
                table: "ClickVerdicts",
                type: "TEXT",
                maxLength: 64,
                nullable: false,
                defaultValue: "");

            migrationBuilder.CreateIndex(
                name: "IX_Events_LinkId",
                table: "Events",
                column: "LinkId");

            migrationBuilder.CreateIndex(
                name: "IX_Events_UserAgentId",
                table: "Events",
                column: "UserAgentId");

            migrationBuilder.CreateIndex(
                name: "IX_Events_WorkspaceId_Source_ExternalId",
                table: "Events",
                columns: new[] { "WorkspaceId", "Source", "ExternalId" },
                unique: true);

            migrationBuilder.AddForeignKey(
                name: "FK_Events_CampaignLinks_LinkId",
                table: "Events",
                column: "LinkId",
                principalTable: "CampaignLinks",
                principalColumn: "Id",
                onDelete: ReferentialAction.Restrict);

            migrationBuilder.AddForeignKey(
                name: "FK_Events_UserAgents_UserAgentId",
                table: "Events",
                column: "UserAgentId",
                principalTable: "UserAgents",
                principalColumn: "Id",
                onDelete: ReferentialAction.Restrict);

            migrationBuilder.AddForeignKey(
                name: "FK_Events_Workspaces_WorkspaceId",
                table: "Events",
                column: "WorkspaceId",
                principalTable: "Workspaces",
                principalColumn: "Id",
                onDelete: ReferentialAction.Cascade);
        }
    }
}
